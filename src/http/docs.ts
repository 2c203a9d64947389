// The readable API reference at /docs: a small HTML page rendered once from the OpenAPI
// document, with no scripts and no assets from anywhere else.

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: { type?: string };
  }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string }>;
}

interface OpenApiDocument {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function renderOperation(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<li><code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)}${p.required ? ', required' : ''}${
          p.schema?.type ? `, ${escapeHtml(p.schema.type)}` : ''
        })${p.description ? ` — ${escapeHtml(p.description)}` : ''}</li>`,
    )
    .join('');
  const bodyTypes = Object.keys(op.requestBody?.content ?? {});
  const responses = Object.entries(op.responses ?? {})
    .map(
      ([status, r]) =>
        `<code>${escapeHtml(status)}</code>${r.description ? ` ${escapeHtml(r.description)}` : ''}`,
    )
    .join(', ');
  return [
    `<section id="${escapeHtml(`${method}-${path}`)}">`,
    `<h3><span class="m">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>`,
    op.summary ? `<p>${escapeHtml(op.summary)}</p>` : '',
    op.description ? `<p>${escapeHtml(op.description)}</p>` : '',
    params ? `<p>Parameters:</p><ul>${params}</ul>` : '',
    bodyTypes.length
      ? `<p>Body: ${bodyTypes.map((t) => `<code>${escapeHtml(t)}</code>`).join(', ')}</p>`
      : '',
    responses ? `<p>Responses: ${responses}</p>` : '',
    '</section>',
  ].join('\n');
}

/** Renders the reference page from an OpenAPI document. */
export function renderApiDocs(doc: OpenApiDocument): string {
  const sections: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) sections.push(renderOperation(method, path, op));
    }
  }
  const title = escapeHtml(`${doc.info?.title ?? 'API'} ${doc.info?.version ?? ''}`.trim());
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
section{border-top:1px solid #ccc;padding:.5rem 0}.m{display:inline-block;min-width:4rem;font-weight:bold}
code{background:#f3f3f3;padding:0 .2rem}</style></head>
<body><h1>${title}</h1>
<p>${escapeHtml(doc.info?.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Errors are <code>{ "error": { "code", "message", "details" } }</code>.</p>
${sections.join('\n')}
</body></html>
`;
}
