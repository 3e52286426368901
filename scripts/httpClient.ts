/**
 * A small HTTP client for the API as the tests and the benchmarks drive it: a bearer token, a JSON
 * or raw (HL7) body, and the answer parsed as JSON when it is JSON.
 */
export interface CallResult {
  status: number;
  body: unknown;
  text: string;
  /** The body as sent: a PDF is not text. */
  bytes: Uint8Array;
  headers: Headers;
}

export type Call = (
  method: string,
  path: string,
  opts?: { token?: string; json?: unknown; body?: string; contentType?: string; headers?: Record<string, string> },
) => Promise<CallResult>;

export function httpClient(base: string): Call {
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/hl7-v2';
      body = opts.body;
    }
    const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // HL7 or empty
    }
    return { status: response.status, body: parsed, text, bytes, headers: response.headers };
  };
}
