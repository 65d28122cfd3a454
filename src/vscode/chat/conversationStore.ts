// Past conversations of the side-bar chat, kept per workspace in one JSON file (in the
// extension's workspace storage). Everything read back is validated with zod, one conversation
// at a time: a damaged entry is set aside in a ".rejected-*.json" file next to the store (never
// silently dropped), the rest loads; an id read twice gets a new one, and host paths in the file
// are dropped (the host never opens a path read from it); a file too large to parse is moved
// aside unread. Writes go to a temporary file renamed into place, so a crash mid-write leaves
// the previous file intact. No vscode import: tested on its own.
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { writeFileSync, renameSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { conversationEventSchema, type ConversationEvent } from '../../conversation/events';
import { chatMessageSchema } from '../../trajectory/chatMessage';
import { viewEventSchema } from '../conversation/transcriptProtocol';
import { fromViewEvents } from './legacyHistory';
import { makeFolders, makeFoldersSync } from '../../files/makeFolders';
import { errnoCode } from '../../text/fileErrors';

export const storedConversationSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /**
   * The core conversation's record (tokens of a turn merged): replayed when the conversation is
   * opened, and what its trajectories are folded from. Entries written before the record was
   * stored hold the view's events instead; they are converted on reading (legacyHistory.ts).
   */
  events: z.union([z.array(conversationEventSchema), z.array(viewEventSchema).transform(fromViewEvents)]).transform(withoutHostPaths),
  /** The model's side of the conversation, so a follow-up continues it. */
  messages: z.array(chatMessageSchema),
});
export type StoredConversation = z.infer<typeof storedConversationSchema>;

const storeFileSchema = z.object({ version: z.literal(1), conversations: z.array(z.unknown()) });

export const STORE_FILE = 'conversations.json';
/**
 * The largest history file read (bytes). Beyond it the file is moved aside unread: parsing it
 * would hold it several times over in the extension host's memory. The chat never writes one
 * this large (100 conversations of cell outputs cut to the output limit).
 */
export const MAX_STORE_BYTES = 256 * 1024 * 1024;
/** Older conversations beyond this many are dropped when saving. */
export const MAX_CONVERSATIONS = 100;

export interface LoadResult {
  readonly conversations: StoredConversation[];
  /** Sentences for the user about what could not be read, and where it was kept. */
  readonly problems: string[];
}

export class ConversationStore {
  private writing: Promise<void> = Promise.resolve();
  /** Counts saves asked for; a write whose number is no longer the last is superseded and dropped. */
  private generation = 0;

  constructor(readonly dir: string) {}

  get file(): string {
    return join(this.dir, STORE_FILE);
  }

  async load(): Promise<LoadResult> {
    let text: string;
    try {
      const { size } = await stat(this.file);
      if (size > MAX_STORE_BYTES) {
        const kept = this.rejectedPath();
        await rename(this.file, kept);
        return { conversations: [], problems: [`Chat history in ${this.file} is larger than ${MAX_STORE_BYTES / (1024 * 1024)} MiB; it was moved to ${kept} and a new history was started.`] };
      }
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { conversations: [], problems: [] };
      return { conversations: [], problems: [`Chat history could not be read from ${this.file}: ${error instanceof Error ? error.message : String(error)}`] };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      const kept = await this.setAside(text);
      return { conversations: [], problems: [`Chat history in ${this.file} is not valid JSON (${error instanceof Error ? error.message : String(error)}); it was kept as ${kept} and a new history was started.`] };
    }
    const file = storeFileSchema.safeParse(raw);
    if (!file.success) {
      const kept = await this.setAside(text);
      return { conversations: [], problems: [`Chat history in ${this.file} has an unknown format (${file.error.issues[0]?.message ?? 'invalid'}); it was kept as ${kept} and a new history was started.`] };
    }
    const conversations: StoredConversation[] = [];
    const rejected: unknown[] = [];
    const ids = new Set<string>();
    for (const entry of file.data.conversations) {
      const parsed = storedConversationSchema.safeParse(entry);
      if (!parsed.success) {
        rejected.push(entry);
        continue;
      }
      // The chat keys conversations by id: a second entry with an id already read (a copied
      // entry, a hand-edited file) would replace the first, which the next save would then lose.
      const conversation = ids.has(parsed.data.id) ? { ...parsed.data, id: randomUUID() } : parsed.data;
      ids.add(conversation.id);
      conversations.push(conversation);
    }
    const problems: string[] = [];
    if (rejected.length > 0) {
      const kept = await this.setAside(JSON.stringify({ version: 1, conversations: rejected }, null, 1));
      problems.push(`${rejected.length} past conversation${rejected.length === 1 ? '' : 's'} could not be read and ${rejected.length === 1 ? 'was' : 'were'} kept aside in ${kept}.`);
    }
    conversations.sort((a, b) => b.updatedAt - a.updatedAt);
    return { conversations, problems };
  }

  /**
   * Writes the whole history (newest first). Writes are serialised, and one superseded by a later
   * save (saveNow included) before it reached the file is dropped: the last save asked for wins.
   */
  save(conversations: readonly StoredConversation[]): Promise<void> {
    const body = serialise(conversations);
    const generation = ++this.generation;
    const next = this.writing.then(async () => {
      if (generation !== this.generation) return;
      await makeFolders(this.dir);
      // Its own temporary file: saveNow must never write into the file this write still has open.
      const tmp = `${this.file}.${process.pid}.${generation}.tmp`;
      await writeFile(tmp, body, 'utf8');
      // Checked and renamed in one synchronous step, so a saveNow (the window closing) cannot come between.
      if (generation !== this.generation) {
        await rm(tmp, { force: true });
        return;
      }
      renameSync(tmp, this.file);
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  /** For shutdown, when an asynchronous write might not finish. */
  saveNow(conversations: readonly StoredConversation[]): void {
    ++this.generation;
    makeFoldersSync(this.dir);
    const tmp = `${this.file}.${process.pid}.now.tmp`;
    writeFileSync(tmp, serialise(conversations), 'utf8');
    renameSync(tmp, this.file);
  }

  /** A new file name next to the store for history that could not be read. */
  private rejectedPath(): string {
    return join(this.dir, `conversations.rejected-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  }

  private async setAside(text: string): Promise<string> {
    const path = this.rejectedPath();
    await makeFolders(this.dir);
    await writeFile(path, text, 'utf8');
    return path;
  }
}

/**
 * The events without the host paths they name (artifact copies, full-output files): a path read
 * from the history file is never opened or served. Those files belonged to the sandbox that
 * wrote them and were removed with it, so nothing shown is lost; artifacts stay listed by name.
 */
function withoutHostPaths(events: ConversationEvent[]): ConversationEvent[] {
  return events.map((e) => {
    if (e.type !== 'exec-result') return e;
    const { fullOutputPath: _full, artifacts, ...result } = e.result;
    return { ...e, result: { ...result, artifacts: artifacts.map(({ path: _path, ...artifact }) => artifact) } };
  });
}

function serialise(conversations: readonly StoredConversation[]): string {
  const newest = [...conversations].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, MAX_CONVERSATIONS);
  return JSON.stringify({ version: 1, conversations: newest });
}
