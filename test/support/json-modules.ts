/**
 * A module loader hook, registered by workflow-parser.ts: @actions/workflow-parser
 * 0.3.61 imports its schema files (`*.min.json`) without `with { type: 'json' }`,
 * which Node refuses (actions/languageservices#387); its own JSON files are
 * loaded as the JSON modules they are meant to be.
 */
interface LoadContext {
  importAttributes?: Record<string, string>;
  [key: string]: unknown;
}
type NextLoad = (url: string, context: LoadContext) => Promise<unknown>;

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<unknown> {
  if (url.includes('/node_modules/@actions/workflow-parser/') && url.endsWith('.json') && context.importAttributes?.['type'] === undefined) {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
  }
  return nextLoad(url, context);
}
