import type { Session } from './encode-lib.ts'
export async function qualityTable(_session: Session, _dir: string): Promise<string> {
  return ''
}
