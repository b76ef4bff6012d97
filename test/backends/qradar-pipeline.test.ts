import { describe, expect, it } from 'vitest';
import { QRADAR_CATEGORY_QIDS, QRADAR_FIELDS } from '../../src/backends/pipelines/qradar.js';
import { qradarEvent } from '../../src/sources/qradar-columns.js';

/**
 * The qradar pipeline must agree with the QRadar readers, or a rule would mean one thing as AQL
 * and another in the native engine on the same export.
 */
describe('qradar pipeline vs. the QRadar readers', () => {
  it('every mapped property is the column the reader exposes under that Sigma name', () => {
    for (const [sigma, property] of Object.entries(QRADAR_FIELDS)) {
      const event = qradarEvent({ [property]: 'v' }, 0, { file: 't', format: 'qradar-json' });
      expect(event.fields[sigma], `${sigma} ← ${property}`).toBe('v');
    }
  });

  it('every category condition is the QID-name test the reader uses to set the category', () => {
    for (const [category, qids] of QRADAR_CATEGORY_QIDS)
      for (const qid of qids) {
        expect(qradarEvent({ qidname: `Sysmon ${qid} x` }, 0, { file: 't', format: 'qradar-json' }).category).toBe(category);
        expect(qradarEvent({ qidname: `sysmon ${qid.toLowerCase()}` }, 0, { file: 't', format: 'qradar-json' }).category).not.toBe(category);
      }
  });

  it('a QID name in two categories gets the first, as the AQL conditions say (later ones exclude earlier names)', () => {
    const category = (qidname: string) => qradarEvent({ qidname }, 0, { file: 't', format: 'qradar-json' }).category;
    expect(category('Process Create / Network Connect')).toBe('process_creation');
    expect(category('Network Connect then FileCreate')).toBe('network_connection');
    expect(category('File Create by Process Create')).toBe('process_creation');
    expect(QRADAR_CATEGORY_QIDS.map(([c]) => c)).toEqual(['process_creation', 'network_connection', 'file_event']);
  });

  it('the QID name field is QIDNAME(qid) in AQL, read back as qidname', () => {
    expect(QRADAR_FIELDS.qidname).toBe('QIDNAME(qid)');
    expect(qradarEvent({ 'QIDNAME(qid)': 'x' }, 0, { file: 't', format: 'qradar-json' }).fields.qidname).toBe('x');
  });
});
