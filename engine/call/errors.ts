/**
 * Bad input to the caller. Each fault has its own `fault` name (tests and the UI switch on it)
 * and maps onto the contract's closed `ErrorCode` set, so the CLI picks the right exit code:
 * faulty files → exit 1, a region the user typed wrong → exit 2.
 */
import type { ErrorCode } from '../../app/contract.js';
import { EngineError } from '../errors.js';

export type CallInputFault =
  | 'file-not-found'
  | 'not-fasta'
  | 'not-bam'
  | 'bam-not-indexed'
  | 'bam-unsorted'
  | 'contig-mismatch'
  | 'reference-mismatch'
  | 'region-out-of-range'
  | 'bad-config';

const CODE_OF: Record<CallInputFault, ErrorCode> = {
  'file-not-found': 'file-not-found',
  'not-fasta': 'file-unreadable',
  'not-bam': 'file-unreadable',
  'bam-not-indexed': 'file-unreadable',
  'bam-unsorted': 'file-unreadable',
  'contig-mismatch': 'file-unreadable',
  'reference-mismatch': 'file-unreadable',
  'region-out-of-range': 'invalid-request',
  'bad-config': 'invalid-request',
};

export class CallInputError extends EngineError {
  readonly fault: CallInputFault;
  constructor(fault: CallInputFault, message: string, file?: string) {
    super(file === undefined ? { code: CODE_OF[fault], message } : { code: CODE_OF[fault], message, file });
    this.name = 'CallInputError';
    this.fault = fault;
  }
}
