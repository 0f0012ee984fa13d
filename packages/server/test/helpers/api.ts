/** What a test sees of a response: the status, the parsed JSON body (or text), the headers. */
export interface ApiResponse {
  status: number;
  // Tests read arbitrary fields of response bodies; `any` keeps them short.
  body: any;
  headers: Headers;
}

export interface RequestOptions {
  /** Serialised as JSON. */
  body?: unknown;
  /** Sent as-is (malformed JSON, other content types). */
  rawBody?: string;
  /** A JWT or API key for `Authorization: Bearer`. */
  token?: string;
  headers?: Record<string, string>;
}

export interface Api {
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  get(path: string, token?: string): Promise<ApiResponse>;
  post(path: string, body?: unknown, token?: string): Promise<ApiResponse>;
  delete(path: string, token?: string, body?: unknown): Promise<ApiResponse>;
}

/**
 * A tiny JSON client for a test server. It never throws on HTTP errors: tests assert on the status.
 *
 * @example
 * const { status, body } = await api(server.url).post("/api/v1/auths/signin", { email, password });
 */
export function api(baseUrl: string, defaultToken?: string): Api {
  async function request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token ?? defaultToken;
    if (token) headers.authorization ??= `Bearer ${token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers["content-type"] ??= "application/json";
    const response = await fetch(baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (response.headers.get("content-type")?.includes("application/json") && text !== "") parsed = JSON.parse(text);
    return { status: response.status, body: parsed, headers: response.headers };
  }
  return {
    request,
    get: (path, token) => request("GET", path, { token }),
    post: (path, body, token) => request("POST", path, { body, token }),
    delete: (path, token, body) => request("DELETE", path, { body, token }),
  };
}
