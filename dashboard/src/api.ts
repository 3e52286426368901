/**
 * The API client: every call carries the signed-in token, and every error arrives as the API's
 * problem+json so forms can show exactly what was wrong with what was sent.
 */
import type { DashboardConfig } from './types';

export interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

let config: DashboardConfig | undefined;
let token: string | undefined;
let onUnauthorised: () => void = () => undefined;

export async function loadConfig(): Promise<DashboardConfig> {
  if (!config) {
    const response = await fetch('./config.json', { cache: 'no-cache' });
    config = (await response.json()) as DashboardConfig;
  }
  return config;
}

export const currentConfig = () => config;

export function setApiToken(next: string | undefined, whenRefused: () => void) {
  token = next;
  onUnauthorised = whenRefused;
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  opts: { bearer?: string; idempotencyKey?: string } = {},
): Promise<T> {
  const base = (await loadConfig()).apiBaseUrl;
  const bearer = opts.bearer ?? token;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    if (response.status === 401 && !opts.bearer) onUnauthorised();
    const p = (parsed ?? {}) as Partial<Problem>;
    throw new ApiError({
      status: response.status,
      title: p.title ?? response.statusText,
      detail: p.detail ?? `The API answered ${response.status}.`,
      ...(p.errors ? { errors: p.errors } : {}),
    });
  }
  return parsed as T;
}
