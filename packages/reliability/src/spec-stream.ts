// What the merged spec says a streaming operation sends: its `text/event-stream` examples in the spec's order, each
// with its SSE event name (the example's `type`). Read through the contract suite's spec loader, so no event name
// or enum value is written down here a second time.
import { loadSpec } from '@imagegen/contract';

export interface SpecEvent {
  type: string;
  data: Record<string, unknown>;
}

/** The stream events of the operation a request went to (its URL path, base path included or not); empty if it does not stream. */
export function streamEvents(requestPath: string, method: string): SpecEvent[] {
  const pathname = requestPath.split('?')[0] ?? '';
  const operation = [...loadSpec().operations.values()].find((op) => op.method === method.toUpperCase() && pathname.endsWith(op.path));
  const examples = operation?.responses.get('200')?.content.get('text/event-stream')?.examples ?? [];
  return examples.flatMap((value) => {
    const data = value as Record<string, unknown> | null;
    return data && typeof data.type === 'string' ? [{ type: data.type, data }] : [];
  });
}
