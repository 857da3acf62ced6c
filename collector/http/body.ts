/**
 * Which connections Node's parser refused mid-request: the refusal is counted where it happens
 * (clientError), so the body reader, which sees the same failure as an abort, must not count it again.
 */

const PARSER_REJECTED = Symbol('parser-rejected');
type Flagged = { [PARSER_REJECTED]?: boolean };

/** Node's parser refused this connection's request (bad framing) and the refusal was counted. */
export function markParserRejected(socket: object): void {
  (socket as Flagged)[PARSER_REJECTED] = true;
}

export function parserRejected(socket: object): boolean {
  return (socket as Flagged)[PARSER_REJECTED] === true;
}
