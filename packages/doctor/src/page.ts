/** Escapes text for an HTML attribute or element. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/**
 * The doctor's browser page: it runs the same probe and analysis as the command line, from the
 * browser, through whatever sits between it and the server, and shows the report. The script is
 * served beside it (`<path>/page.js`). When done, `<body>` carries `data-state="done"` and the
 * report as JSON in `<pre id="report-json">`.
 *
 * @param base - the path the doctor is mounted at, without a trailing slash
 * @returns the HTML
 */
export function renderPage(base: string): string {
  const path = escapeHtml(base)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ssekit doctor</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
pre { background: #f4f4f4; padding: 1rem; overflow-x: auto; white-space: pre-wrap; }
#report-json { display: none; }
</style>
</head>
<body data-base="${path}" data-state="loading">
<h1>ssekit doctor</h1>
<p>This page streams the doctor's self-test from <code>${path}/stream</code> through everything between
this browser and the server, then checks a reconnect with <code>EventSource</code>. It takes about as long
as the command line's probe.</p>
<p id="progress">Starting…</p>
<pre id="report"></pre>
<pre id="report-json"></pre>
<script type="module" src="${path}/page.js"></script>
</body>
</html>
`
}
