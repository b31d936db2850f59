/** Raw HTTP on a socket, for tests of what the server answers before or without routing. */

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits what came back on a socket into its responses (several when requests were pipelined). */
export function answersIn(text: string): Answer[] {
  const out: Answer[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const lines = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = Buffer.from(rest.slice(end + 4))
      .subarray(0, length)
      .toString();
    out.push({ status: Number(lines[0]?.split(' ')[1]), headers, body });
    rest = rest.slice(end + 4 + body.length);
  }
  return out;
}
