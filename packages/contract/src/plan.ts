import { exampleCases, type RequestCase, requestedCount } from './cases.js';
import { estimateCost } from './cost.js';
import { generatedCases } from './generate.js';
import { type NegativeCase, negativeCases } from './negative.js';
import type { OperationInfo, Spec } from './spec.js';

export const DEFAULT_BUDGET = 4;
export const DEFAULT_SEED = 1;
/** Requests a shrinking failure may add, at most, per failing generated request. */
export const MAX_SHRINK_STEPS = 6;

export interface PlanOptions {
  /** Property-based requests in all, spread over the operations. */
  budget: number;
  seed: number;
  /** Skip operations the spec marks deprecated (what `--live` does unless `--include-deprecated`). */
  skipDeprecated: boolean;
  /** The Authorization value of the malformed-header check. */
  malformedAuthorization: string;
}

export interface OperationPlan {
  op: OperationInfo;
  /** Set when the operation is skipped as a whole, with the reason. */
  skip?: string;
  examples: RequestCase[];
  generated: RequestCase[];
  negatives: NegativeCase[];
}

/** What the suite will send, per operation: the spec's examples (and stream variants), generated valid requests, invalid ones. */
export function planRequests(spec: Spec, options: PlanOptions): OperationPlan[] {
  const ops = [...spec.operations.values()];
  const active = ops.filter((op) => !(options.skipDeprecated && op.deprecated));
  return ops.map((op) => {
    if (options.skipDeprecated && op.deprecated)
      return {
        op,
        skip: 'deprecated in the spec: not sent with --live (add --include-deprecated)',
        examples: [],
        generated: [],
        negatives: [],
      };
    const examples = exampleCases(spec, op);
    const index = active.indexOf(op);
    const share = Math.floor(options.budget / active.length) + (index < options.budget % active.length ? 1 : 0);
    const generated = generatedCases(spec, op, examples, share, options.seed);
    const negatives: NegativeCase[] = [];
    for (const mediaType of op.requestContent.keys()) {
      const base = examples.find((c) => c.mediaType === mediaType && !c.stream);
      if (base) negatives.push(...negativeCases(spec, op, base, options.malformedAuthorization));
    }
    // The Authorization checks do not depend on the media type: keep one of each.
    const auth = new Set<string>();
    const deduplicated = negatives.filter((n) => {
      if (n.expect !== 'unauthorized') return true;
      const key = String(n.authorization);
      if (auth.has(key)) return false;
      auth.add(key);
      return true;
    });
    return { op, examples, generated, negatives: deduplicated };
  });
}

export interface PlannedCost {
  operationId: string;
  label: string;
  usd: number;
}

/** Every request of a plan with its estimated cost (invalid requests are rejected, so free). */
export function plannedCosts(spec: Spec, plans: OperationPlan[]): PlannedCost[] {
  const out: PlannedCost[] = [];
  for (const plan of plans) {
    for (const request of [...plan.examples, ...plan.generated, ...plan.negatives.map((n) => n.request)])
      out.push({
        operationId: plan.op.operationId,
        label: request.label,
        usd: estimateCost(request, requestedCount(spec, plan.op, request)),
      });
  }
  return out;
}
