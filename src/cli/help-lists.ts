/**
 * The choices `--help` lists, read from the registries that define them (never written by hand
 * beside them). Imported only when help is asked for: the registries pull in every reader and
 * backend, which a command imports only when it runs.
 */
import { builtinPackNames } from '../alerts/pack-names.js';
import { BACKENDS } from '../backends/index.js';
import { OUTPUT_FORMAT_NAMES } from '../outputs/format-names.js';
import { READERS } from '../sources/registry.js';

export interface HelpLists {
  outputFormats: string;
  inputFormats: string;
  targets: string;
  packs: string;
}

export function helpLists(): HelpLists {
  return {
    outputFormats: OUTPUT_FORMAT_NAMES.join(' | '),
    inputFormats: READERS.map((r) => r.format).join(', '),
    targets: [...BACKENDS.keys()].join(' | '),
    packs: builtinPackNames().join(', '),
  };
}
