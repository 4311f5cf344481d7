// The HTTP client for the public Atrium REST API: JSON requests, the error envelope, CSRF, 401s.

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** An error reported by the server (or the network), carrying the API's error envelope. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const BASE = '/api/v1';
const MUTATIONS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

let onUnauthenticated: () => void = () => undefined;

/** Registers what to do when the session is missing or expired (a 401 from any endpoint). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** Query parameters; a list repeats its key (`status=queued&status=running`). */
type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) value.forEach((item: string) => params.append(key, item));
    else if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The address of a GET endpoint, for links the browser follows itself (downloads). */
export function apiUrl(path: string, query?: Query): string {
  return withQuery(BASE + path, query);
}

interface RequestOptions {
  body?: unknown;
  /** Bytes sent as they are, with their media type, instead of a JSON body. */
  raw?: { data: Blob; type: string };
  query?: Query;
  /** Leave a 401 to the caller instead of sending the user to the sign-in page. */
  allow401?: boolean;
}

interface FieldProblem {
  loc?: (string | number)[];
  msg?: string;
}

/** Validation errors name the offending fields in `details`; fold them into the message. */
function describe(message: string, details: unknown): string {
  if (!Array.isArray(details)) return message;
  const problems = (details as FieldProblem[])
    .filter((d) => d.msg)
    .map((d) => `${(d.loc ?? []).filter((part) => part !== 'body').join('.')}: ${d.msg}`);
  return problems.length ? `${message} (${problems.join('; ')})` : message;
}

async function errorFrom(response: Response): Promise<ApiError> {
  try {
    const payload = (await response.json()) as { error?: { code: string; message: string; details: unknown } };
    if (payload.error) {
      const { code, message, details } = payload.error;
      return new ApiError(response.status, code, describe(message, details), details);
    }
  } catch {
    // Not the JSON envelope (e.g. a proxy error page): fall through to a generic error.
  }
  return new ApiError(response.status, 'http_error', `The server answered ${response.status} ${response.statusText}`);
}

function networkError(): ApiError {
  return new ApiError(0, 'network_error', 'Cannot reach the Atrium server. Check your connection and retry.');
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.raw) {
    headers['Content-Type'] = options.raw.type;
    body = options.raw.data;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const csrf = MUTATIONS.has(method) ? readCookie('atrium_csrf') : null;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  let response: Response;
  try {
    response = await fetch(withQuery(BASE + path, options.query), { method, headers, credentials: 'same-origin', body });
  } catch {
    throw networkError();
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401 && !options.allow401) onUnauthenticated();
    throw error;
  }
  return response;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** GETs text and the response headers (which may carry paging state, as job logs do). */
export async function requestText(path: string, query?: Query): Promise<{ text: string; headers: Headers }> {
  const response = await send('GET', path, { query });
  try {
    return { text: await response.text(), headers: response.headers };
  } catch {
    throw networkError();
  }
}

/** GETs raw bytes (a blob), with the same error handling as JSON requests. */
export async function download(path: string): Promise<Blob> {
  const response = await send('GET', path, {});
  try {
    return await response.blob();
  } catch {
    throw networkError();
  }
}

export const seg = encodeURIComponent;
