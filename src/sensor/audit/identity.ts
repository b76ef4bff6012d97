import { readFileSync } from 'node:fs';

/** uid → user name from /etc/passwd (read once), the uid itself when it is not listed. */
export function userNames(passwd = '/etc/passwd'): (uid: string) => string {
  const names = new Map<string, string>();
  try {
    for (const line of readFileSync(passwd, 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid && !names.has(uid)) names.set(uid, name);
    }
  } catch {
    // No passwd file: uids stay numbers.
  }
  return (uid) => names.get(uid) ?? uid;
}
