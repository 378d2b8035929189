/**
 * `${{ … }}` in workflow text, evaluated as the runner does, with GitHub's
 * own expression library over the contexts a step sees.
 */
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';

/** Contexts as plain JSON: `github`, `runner`, `env`, `matrix`, `steps`, … */
export type Contexts = Record<string, unknown>;

// The runner's scan is finer (a `}}` inside a string literal); ours have none.
const EXPRESSION = /\$\{\{(.*?)\}\}/gs;

/** One expression's value, as the runner turns it into text (false → "false", null → ""). */
export function evaluate(expression: string, contexts: Contexts): string {
  const parser = new Parser(new Lexer(expression).lex().tokens, Object.keys(contexts), []);
  const values = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return new Evaluator(parser.parse(), values).evaluate().coerceString();
}

/** Every `${{ … }}` in `text` replaced by its value. */
export function interpolate(text: string, contexts: Contexts): string {
  return text.replace(EXPRESSION, (_, expression: string) => evaluate(expression, contexts));
}
