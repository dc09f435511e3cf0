/**
 * The one transport every piece of UI code talks to. Two implementations exist: the Electron
 * preload (`electronBridge.ts`) and browser mode over HTTP + SSE (`httpBridge.ts`); the UI never
 * knows which it has, except through `canOpenDialog`.
 *
 * Kept free of DOM-only globals so the store (and its unit tests in node) can depend on it.
 */
import type {
  EventChannel,
  EventMap,
  GenomaicError,
  RequestChannel,
  RequestParams,
  RequestResult,
} from '../../../app/contract.ts';

/** Progress of turning dropped/chosen files into host paths (uploads in browser mode). */
export interface FileTransferProgress {
  /** 0-based index of the file being transferred. */
  fileIndex: number;
  fileCount: number;
  fileName: string;
  /** Bytes of the whole batch already on the host. */
  bytesDone: number;
  bytesTotal: number;
}

export interface ResolveFilesOptions {
  onProgress?: (progress: FileTransferProgress) => void;
  signal?: AbortSignal;
}

/**
 * State of the host event stream. `reconnecting`: events may be missed until `open` again, so
 * listeners to `onConnectionChange` should refetch what they show. `lost`: the host refused
 * the stream (for example the launch token changed) and no retry will help without a reload.
 */
export type ConnectionState = 'open' | 'reconnecting' | 'lost';

export interface HostBridge {
  readonly host: 'electron' | 'browser';
  /** True where the host has a native open dialog ('dialog.openFastq'). */
  readonly canOpenDialog: boolean;
  /** Resolves with the result; rejects with a `HostRequestError` when the host replies `ok: false`. */
  request<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>>;
  subscribe<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  /** Paths the engine can read for these files (their own path in Electron, an upload otherwise). */
  resolveFiles(files: readonly File[], options?: ResolveFilesOptions): Promise<string[]>;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
}

/** A failed request, carrying the host's structured error for display. */
export class HostRequestError extends Error {
  readonly detail: GenomaicError;
  readonly channel: string;

  constructor(channel: string, detail: GenomaicError) {
    super(detail.message);
    this.name = 'HostRequestError';
    this.channel = channel;
    this.detail = detail;
  }
}

/** Whatever was thrown, as something a person can read (never a stack trace). */
export function toGenomaicError(thrown: unknown): GenomaicError {
  if (thrown instanceof HostRequestError) return thrown.detail;
  if (thrown instanceof Error) {
    if (thrown.name === 'AbortError') return { code: 'cancelled', message: 'Cancelled.' };
    return { code: 'internal', message: thrown.message || 'Unexpected error.' };
  }
  if (typeof thrown === 'string' && thrown.length > 0) return { code: 'internal', message: thrown };
  if (isErrorShaped(thrown)) return thrown;
  return { code: 'internal', message: 'Unexpected error.' };
}

function isErrorShaped(value: unknown): value is GenomaicError {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string';
}
