// An SVG the model's code wrote, as a notebook output. VS Code's built-in notebook renderer
// draws an `image/svg+xml` output by setting it as innerHTML and then running every <script> in
// it (extensions/notebook-renderers, renderHTML + domEval): a plot file would run as script in
// the notebook's webview, with its network. Inside an <img> an SVG is a picture only: no script
// runs and nothing outside it loads. Jupyter shows the same output the same way.
import { escapeControls } from '../sandbox/terminalText';
import { escapeHtml } from '../text/html';

/** The notebook output mime type svgPictureHtml is written as. */
export const SVG_PICTURE_MIME = 'text/html';

/**
 * `svg` (the file's bytes) as one `<img>` with a base64 `data:` URI, and `name` (the file name,
 * shown escaped: controls, bidi overrides, HTML) as its alt text. Nothing of the file is HTML.
 */
export function svgPictureHtml(svg: Uint8Array, name: string): string {
  return `<img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" alt="${escapeHtml(escapeControls(name))}">`;
}
