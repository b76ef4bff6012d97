/** The file that makes a folder of rules a pack (its name, selection, columns): never a rule itself. */
export const PACK_MANIFEST = 'pack.yml';
