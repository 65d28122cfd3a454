// Reading servers' error replies: the body shapes and the Retry-After forms. Over real HTTP the
// same shapes are in faults.test.ts (proxy page, vLLM < 0.10 body, 429 with Retry-After).
import { describe, expect, it } from 'vitest';
import { errorDocument, htmlSummary, rateLimited, retryAfterMs, serverErrorDetail } from '../../../src/agent/backends/errors';
import { unreadableToolCall } from '../../../src/agent/backends/ollama';
import { PYTHON_TOOL } from '../../../src/agent/pythonTool';
import { mulberry32 } from '../../support/seeded';

describe('serverErrorDetail', () => {
  it.each([
    ['OpenAI / vLLM ≥ 0.10', '{"error":{"message":"boom","type":"BadRequestError","code":"context_length_exceeded"}}', 'boom', 'context_length_exceeded'],
    ['Ollama / TGI', '{"error":"model \\"x\\" not found, try pulling it first"}', 'model "x" not found, try pulling it first', undefined],
    ['vLLM < 0.10', '{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404}', 'The model `x` does not exist.', 404],
    ['FastAPI', '{"detail":"Not Found"}', 'Not Found', undefined],
    [
      "Mistral (its message a validation error's detail)",
      '{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","seed"],"msg":"Extra inputs are not permitted","input":3}]},"type":"invalid_request_error","param":null,"code":null}',
      'Extra inputs are not permitted (body.seed)',
      null,
    ],
    ['FastAPI validation', '{"detail":[{"loc":["body","messages"],"msg":"field required","type":"value_error.missing"}]}', 'field required (body.messages)', undefined],
    ['plain text', '  upstream connect error or disconnect/reset before headers\n', 'upstream connect error or disconnect/reset before headers', undefined],
  ])('%s', (_server, body, message, code) => {
    expect(serverErrorDetail(body)).toEqual({ message, code });
  });

  it('an HTML page is its title, or its first heading, as plain text', () => {
    expect(serverErrorDetail('<!DOCTYPE html><html><head><title>example.com | 502: Bad gateway</title><style>h1{}</style></head><body><h1>Oops</h1></body></html>').message).toBe('example.com | 502: Bad gateway');
    expect(serverErrorDetail('<html><body><h1>Service &amp; API <b>unavailable</b></h1><p>later</p></body></html>').message).toBe('Service & API unavailable');
  });

  it('a hostile page (megabytes of markup that never closes) is read from its head only: one line, no hang', () => {
    // Scanning the whole page for tags would be quadratic here (minutes: the test would time out).
    expect(serverErrorDetail(`<html><title>${'<'.repeat(4 * 1024 * 1024)}`).message.length).toBeLessThanOrEqual(501);
    expect(serverErrorDetail(`<html>${'<b'.repeat(2 * 1024 * 1024)}`).message.length).toBeLessThanOrEqual(501);
  });

  it('the whole page is read: a title or heading after the first 8 KiB (a long inline style or script first) is still found', () => {
    expect(serverErrorDetail(`<!DOCTYPE html><html><head><style>${'a{}'.repeat(10_000)}</style><title>502 Bad gateway</title></head></html>`).message).toBe('502 Bad gateway');
    expect(serverErrorDetail(`<html><body><script>${'x=1;'.repeat(10_000)}</script><h1>Down for maintenance</h1></body></html>`).message).toBe('Down for maintenance');
  });

  it('a long body is cut to 500 characters', () => {
    expect(serverErrorDetail('x'.repeat(2000)).message).toBe(`${'x'.repeat(500)}…`);
  });
});

describe('errorDocument', () => {
  it("an error object without a message, nested too deep to write back as JSON, is still the server's error (no RangeError)", () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const document = errorDocument(JSON.parse(`{"error": {"code": 500, "metadata": ${deep}}}`));
    expect(document?.code).toBe(500);
    expect(document?.message).toMatch(/too deeply nested/);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  it('reads delay-seconds and HTTP-dates; nothing for an absent or unreadable header', () => {
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('1.5', now)).toBe(1500);
    expect(retryAfterMs('Mon, 30 Nov 2026 12:00:20 GMT', now)).toBe(20_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('a delay too long for a double is a very long wait, said as such (not "Infinity s")', () => {
    const wait = retryAfterMs('9'.repeat(400), now);
    expect(wait).toBe(Number.MAX_SAFE_INTEGER);
    expect(rateLimited('http://127.0.0.1:11434', 'slow down', wait).message).toContain('it asks to wait more than a day before trying again');
    expect(rateLimited('http://127.0.0.1:11434', 'slow down', 7000).message).toContain('it asks to wait 7 s before trying again');
  });
});

describe("unreadableToolCall (Ollama's error for a tool call it could not read)", () => {
  const error = (raw: string, err = "invalid character 'p' looking for beginning of value"): string => `error parsing tool call: raw='${raw}', err=${err}`;
  it("gives gpt-oss's raw code as the one tool's required argument, whatever quotes the code holds", () => {
    const code = 'print(\'a\', "b")\nx = "\', err="\nprint(x)';
    expect(unreadableToolCall(error(code), [PYTHON_TOOL])).toEqual({ id: 'call_0', name: 'python', arguments: JSON.stringify({ code }) });
  });
  it('passes text that starts like JSON on as the arguments it tried to be', () => {
    expect(unreadableToolCall(error('{"code": "print(1)"]}', "invalid character ']' after object key:value pair"), [PYTHON_TOOL])?.arguments).toBe('{"code": "print(1)"]}');
  });
  it('is no call for other errors, or when the request offered several tools or none (the error names no tool)', () => {
    expect(unreadableToolCall('model requires more system memory (9.1 GiB) than is available', [PYTHON_TOOL])).toBeUndefined();
    expect(unreadableToolCall(error('print(1)'), [PYTHON_TOOL, { ...PYTHON_TOOL, name: 'shell' }])).toBeUndefined();
    expect(unreadableToolCall(error('print(1)'), undefined)).toBeUndefined();
    expect(unreadableToolCall(undefined, [PYTHON_TOOL])).toBeUndefined();
  });
});

/** The regular expressions htmlSummary replaced (without their 8 KiB cap): the behaviour it keeps. */
function htmlSummaryByRegex(html: string): string {
  const entities: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
  const part = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1] ?? html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ');
  return part
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, name: string) => entities[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Pieces of markup a page is made of, in every case, cut and unclosed too; non-ASCII letters that case-fold to ASCII ones (ſ, K, İ) must not match. */
const PIECES = [
  '<title>',
  '<TITLE lang="en">',
  '</title>',
  '</TiTlE>',
  '<title',
  '<h1>',
  '<H1 class=x>',
  '</h1>',
  '</H1>',
  '<script>',
  '<SCRIPT src=a>',
  '</script>',
  '</Script>',
  '<style>',
  '</style>',
  '</STYLE>',
  '<styles>',
  '<b>',
  '</b>',
  '<',
  '>',
  '<<',
  '>>',
  '&amp;',
  '&lt;',
  '&nbsp;',
  '&#39;',
  '&bogus;',
  ' ',
  '\n',
  '\t',
  'text',
  'Bad gateway',
  'ſcript',
  '<ſcript>',
  '<tİtle>',
  '\u212a',
  'é',
  '</',
  '/>',
];

describe('htmlSummary', () => {
  it('behaves exactly as the regular expressions it replaced, on 5,000 seeded random pages', () => {
    const next = mulberry32(20261201);
    for (let n = 0; n < 5000; n++) {
      const page = Array.from({ length: Math.floor(next() * 40) }, () => PIECES[Math.floor(next() * PIECES.length)] ?? '').join('');
      expect([page, htmlSummary(page)]).toEqual([page, htmlSummaryByRegex(page)]);
    }
  });
});
