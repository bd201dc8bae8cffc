// The layout every page shares: one stylesheet and the same header navigation.

export interface NavLink {
  href: string;
  label: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The header: the site name (home) and a link to every other page; the current one is marked. */
export function header(nav: NavLink[], current: string): string {
  const links = nav
    .map((link) => `<a href="${escapeHtml(link.href)}"${link.href === current ? ' aria-current="page"' : ''}>${escapeHtml(link.label)}</a>`)
    .join('\n      ');
  return `<header class="site-header">
    <a class="brand" href="index.html"${current === 'index.html' ? ' aria-current="page"' : ''}>imagegen</a>
    <nav aria-label="Pages">
      ${links}
    </nav>
  </header>`;
}

export interface PageOptions {
  title: string;
  nav: NavLink[];
  /** This page's file name, e.g. `streaming.html`. */
  current: string;
  body: string;
}

export function renderPage({ title, nav, current, body }: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} · imagegen</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="style.css">
</head>
<body>
  ${header(nav, current)}
  <main class="content">
${body}
  </main>
</body>
</html>
`;
}
