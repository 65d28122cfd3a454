// What running one code cell produced: the sandbox's answer, as stored in every record of a
// conversation (trajectory, eval results, notebook outputs, views). Declared once, as a zod
// schema with the type inferred from it, so what is read back is checked against the same shape.
import { z } from 'zod';

/**
 * Why a cell stopped before finishing on its own, when it did. `disk`: the sandbox's disk
 * budget; `protocol`: the cell wrote to the interpreter's control channel or faked the end of
 * a cell (the interpreter was replaced); `host-error`: the host could not handle the cell's
 * output (e.g. a spill file).
 */
export const killReasonSchema = z.enum(['timeout', 'cancelled', 'memory', 'output-limit', 'cpu', 'file-size', 'disk', 'crashed', 'protocol', 'host-error']);
/** See `killReasonSchema`. */
export type KillReason = z.infer<typeof killReasonSchema>;

/** A file the code wrote into its scratch folder during one cell. */
export const artifactSchema = z.object({
  /** Path relative to the scratch folder, with forward slashes. */
  name: z.string(),
  /**
   * Absolute path of the host-private copy taken when the cell ended (the only file ever
   * served); unset when the file was over the copy caps and is only listed.
   */
  path: z.string().optional(),
  /** Bytes copied (the file's size when it was only listed). */
  sizeBytes: z.number(),
  /** Why there is no copy (`path` unset), e.g. "host copy budget used up". */
  notCopied: z.string().optional(),
  /** MIME type guessed from the file name ("image/png", "text/csv", ...). */
  mimeType: z.string(),
});
/** See `artifactSchema`. */
export type Artifact = Readonly<z.infer<typeof artifactSchema>>;

/** What running one code cell produced. */
/**
 * The `killMessage` of a cell that was never run because no isolation was available and the user
 * did not accept the basic tier (the CLI's isolation gate, issue 10 item 8). The model is told;
 * an evaluation treats a question answered so as not done, and a resumed run asks it again.
 */
export const NOT_RUN_MESSAGE = 'not run: no isolation available';

export const execResultSchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  /** Process or cell exit status; 0 = success, null when killed by a signal. */
  exitCode: z.number().nullable(),
  /** Wall-clock time of the cell, ms. */
  durationMs: z.number(),
  timedOut: z.boolean(),
  /** Set when the sandbox (not the code) ended the cell. */
  killed: killReasonSchema.optional(),
  /**
   * A sentence for people and the model: "timed out after 60 s", "killed: sandbox memory limit (2 GiB)",
   * "disk budget of the sandbox used up (…)".
   */
  killMessage: z.string().optional(),
  /**
   * True when stdout/stderr were cut to the output limit. They hold the output as a terminal
   * leaves it (redraws collapsed, escape sequences removed), cut after collapsing, with one
   * `[output truncated: …]` notice when cut.
   */
  truncated: z.boolean(),
  /**
   * Where the complete raw output was kept when it outgrew the output limit (host-private, outside
   * scratch; for the user's "show all", never shown to the model). Removed when later cells of the
   * same sandbox kept more than FULL_OUTPUTS_HOST_BYTES (src/sandbox/runner.ts) of full outputs.
   */
  fullOutputPath: z.string().optional(),
  artifacts: z.array(artifactSchema).readonly(),
  /** Set when the interpreter had to be restarted before this cell (variables from earlier cells are gone). */
  notice: z.string().optional(),
});
/** See `execResultSchema`. */
export type ExecResult = Readonly<z.infer<typeof execResultSchema>>;
