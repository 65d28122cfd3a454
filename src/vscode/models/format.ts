// How sizes and memory placement are shown in the picker and the status bar.
import type { ModelInfo, RunningModel } from './modelServerClient';

export function formatGiB(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  if (gib >= 0.1) return `${gib.toFixed(1)} GiB`;
  return `${Math.max(1, Math.round(bytes / 1024 ** 2))} MiB`;
}

/** e.g. "4.4 GiB · 7.6B · Q4_K_M". */
export function describeModel(model: ModelInfo): string {
  const parts: string[] = [];
  if (model.sizeBytes !== undefined) parts.push(formatGiB(model.sizeBytes));
  if (model.parameterSize) parts.push(model.parameterSize);
  if (model.quantization) parts.push(model.quantization);
  return parts.join(' · ');
}

/** As `ollama ps` says it: "100% GPU", "100% CPU", "48%/52% CPU/GPU", with the sizes. */
export function describePlacement(running: RunningModel): string {
  const sizes = `${formatGiB(running.vramBytes)} of ${formatGiB(running.sizeBytes)} in GPU memory`;
  switch (running.processor) {
    case 'gpu':
      return `100% on GPU (${sizes})`;
    case 'cpu':
      return `100% on CPU (${formatGiB(running.sizeBytes)}; no GPU memory used, so generation is slow)`;
    case 'split':
      return `${running.gpuPercent}% on GPU, ${100 - running.gpuPercent}% on CPU (${sizes}; the CPU part slows generation)`;
  }
}
