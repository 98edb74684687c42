/**
 * The `yaml` package's parse errors as config problems, read from the error objects (`code`,
 * `pos`) and the source, never from their message text.
 *
 * One mistake is common enough to name: `${VAR}` unquoted inside a flow collection
 * (`server: { port: ${PORT} }`). In flow context `{` and `}` are YAML syntax, so the parser sees
 * a scalar `$` followed by a mapping `{PORT}` and reports errors on every token after it. That
 * error becomes LG_ERR_CONFIG_YAML_VARIABLE_IN_FLOW, pointing at the `$`, and the parser's
 * follow-ups inside the same `${…}` are dropped.
 */
import type { LineCounter, YAMLError } from 'yaml';
import type { ConfigProblem } from './config-errors.js';
import { sourceLine } from './config-source.js';
import { GatewayError } from './errors.js';

/** Codes the parser gives a `{` that follows a `$` in flow context (a flow map, a flow sequence). */
const FLOW_BRACE_CODES = new Set(['UNEXPECTED_TOKEN', 'MISSING_CHAR']);
const VARIABLE_AT = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}\n]*)?\}/y;

function variableInFlow(error: YAMLError, text: string): { start: number; end: number; name: string } | undefined {
  const start = error.pos[0] - 1;
  if (!FLOW_BRACE_CODES.has(error.code) || text[start] !== '$') return undefined;
  VARIABLE_AT.lastIndex = start;
  const match = VARIABLE_AT.exec(text);
  return match ? { start, end: start + match[0].length, name: match[1]! } : undefined;
}

export function yamlProblems(errors: readonly YAMLError[], text: string, lines: LineCounter, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let variableEnd = -1;
  for (const error of [...errors].sort((a, b) => a.pos[0] - b.pos[0])) {
    if (error.pos[0] < variableEnd) continue;
    const variable = variableInFlow(error, text);
    const [start, end] = variable ? [variable.start, variable.end] : error.pos;
    if (variable) variableEnd = variable.end;
    const { line, col } = lines.linePos(start);
    const gatewayError = variable
      ? new GatewayError('LG_ERR_CONFIG_YAML_VARIABLE_IN_FLOW', { name: variable.name })
      : new GatewayError('LG_ERR_CONFIG_YAML', { reason: error.message.split('\n')[0] });
    const source = sourceLine(text, lines, line);
    problems.push({
      code: gatewayError.code, message: gatewayError.message, file, line, column: col, pointer: '',
      ...(source === undefined ? {} : { source }), width: Math.max(1, end - start),
    });
  }
  return problems;
}
