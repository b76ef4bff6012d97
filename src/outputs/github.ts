import type { Alert } from '../alerts/alert.js';
import { visibleControls } from './alert-fields.js';
import type { AlertFormatter, OutputDocument } from './formatter.js';

/**
 * GitHub Actions annotations: one workflow command per alert (`::error title=...,file=...,line=...::message`).
 * GitHub shows at most 10 annotations of each kind (error, warning, notice) per step and 50 per
 * job; beyond that they are dropped without a word. So the document (main thread, alerts in
 * final order) writes the first 10 errors and warnings and 9 notices, and ends with one notice
 * saying how many were left out and where all of them are (the job summary and SARIF). One step
 * thus writes at most 30 annotations, within the job's 50.
 */
export const ANNOTATIONS_PER_KIND = 10;

type Kind = 'error' | 'warning' | 'notice';

export function annotationKind(level: string | undefined): Kind {
  if (level === 'critical' || level === 'high') return 'error';
  if (level === 'informational') return 'notice';
  return 'warning';
}

export function githubFormatter(): AlertFormatter {
  return {
    header: '',
    format(alert: Alert) {
      const { rule, event } = alert;
      const properties = [`title=${property(`supplywatch: ${rule.title} (${rule.level ?? 'unknown'})`)}`, `file=${property(event.source.file)}`];
      if (event.source.line !== undefined) properties.push(`line=${event.source.line}`);
      const f = event.fields;
      const what = [f.CommandLine ?? f.Image, f.TargetFilename, f.DestinationHostname].filter((v) => v !== undefined && v !== null).map(String);
      const message = `${event.host ?? '?'} ${event.time === undefined ? '' : new Date(event.time).toISOString()}: ${what.join(' | ')} [rule ${rule.id ?? rule.title}]`;
      return `::${annotationKind(rule.level)} ${properties.join(',')}::${data(message)}\n`;
    },
    document: cappedAnnotations,
  };
}

function cappedAnnotations(): OutputDocument {
  const written: Record<Kind, number> = { error: 0, warning: 0, notice: 0 };
  let leftOut = 0;
  return {
    add(text) {
      const kind = /^::(error|warning|notice) /.exec(text)![1] as Kind;
      // One notice slot stays free for the line that says how many were left out.
      if (written[kind] >= ANNOTATIONS_PER_KIND - (kind === 'notice' ? 1 : 0)) {
        leftOut += 1;
        return '';
      }
      written[kind] += 1;
      return text;
    },
    end() {
      if (leftOut === 0) return '';
      return `::notice title=${property(`supplywatch: ${leftOut} more alert${leftOut === 1 ? '' : 's'} not annotated`)}::${data(`GitHub shows ${ANNOTATIONS_PER_KIND} annotations of each kind per step: ${leftOut} alert${leftOut === 1 ? ' was' : 's were'} left out. All alerts are in the job summary and the SARIF file.`)}\n`;
    },
  };
}

/** Workflow-command data: `%`, CR and LF percent-encoded (GitHub's escaping); other controls visible. */
function data(text: string): string {
  return visibleControls(text).replace(/[%\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A workflow-command property: as data, plus `:` and `,`, which end a property. */
function property(text: string): string {
  return data(text).replace(/[:,]/g, (c) => (c === ':' ? '%3A' : '%2C'));
}
