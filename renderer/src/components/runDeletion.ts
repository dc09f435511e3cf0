import type { RunDetail, RunSummary } from '../../../app/contract.ts';

/** What deleting a run removes and what it leaves on disk, as the confirmation dialog says it. */
export interface RunDeletionDescription {
  /** What goes from the project (and from disk), in one or two sentences. */
  removes: string;
  /** Files GenomAIc deletes, by path, where the run's detail names them. */
  deletedFiles: string[];
  /** What stays where it is. */
  keeps: string;
  /** The run's inputs, which stay on disk. */
  keptFiles: string[];
}

/**
 * Each kind of run leaves different things behind, and the user decides on what the dialog
 * names: an align run's BAM + BAI are its whole result, an analysis run's reviews are the
 * user's own work. `detail` (when loaded) gives an align run's BAM and BAI paths.
 */
export function describeRunDeletion(run: RunSummary, detail?: RunDetail): RunDeletionDescription {
  const keptFiles = run.inputs.map((input) => input.path);
  switch (run.kind) {
    case 'analyze':
      return {
        // An unfinished analysis has no calls to review; the engine deletes whatever it had
        // written into the run's own folder.
        removes:
          run.status === 'done'
            ? 'The run, its imported calls and their current reviews are removed from the project. The audit log keeps every review ever recorded. Files GenomAIc wrote for the run are deleted.'
            : 'The run is removed from the project. It did not finish, so it has no calls or reviews to delete; the partial files GenomAIc wrote for it are deleted.',
        deletedFiles: [],
        keeps: 'An analysis folder you opened from disk stays where it is, and so do the inputs:',
        keptFiles,
      };
    case 'align': {
      const alignment = detail?.alignment;
      const importedBam = detail?.config.bamPath !== undefined;
      return {
        removes:
          run.status === 'done'
            ? 'The run and its alignment are removed from the project, and the files GenomAIc wrote for it are deleted: the BAM and its BAI index.'
            : 'The run is removed from the project. It did not finish, so it left no BAM to delete.',
        deletedFiles: alignment ? [alignment.bam, alignment.bamIndex] : [],
        keeps: importedBam ? 'The BAM you imported and the reference stay where they are:' : 'The reads and the reference stay where they are:',
        keptFiles,
      };
    }
    case 'qc':
      return {
        removes: 'The run and its QC report are removed from the project.',
        deletedFiles: [],
        keeps: 'The FASTQ files it checked stay where they are:',
        keptFiles,
      };
  }
}
