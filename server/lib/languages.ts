/**
 * Language tags, one spelling for each language wherever it is stored or compared: RFC 5646
 * (BCP 47) in its canonical form, as DASH's `@lang` and browsers' `navigator.languages` use them.
 * Files say "jpn" or "fre" (ISO 639-2, as Matroska and ffprobe do), people type "JA" or "pt_br";
 * `Intl.getCanonicalLocales` maps all of them to "ja", "fr", "pt-BR" from the CLDR aliases, in
 * browsers, Node and Workers alike.
 * @module
 */

/** Tags that name no language: "undetermined", "no linguistic content", "multiple", "uncoded". */
const NO_LANGUAGE = new Set(['und', 'zxx', 'mul', 'mis'])

/**
 * The canonical tag, or null when `tag` is empty, names no language, or is not a language tag.
 * @example canonicalLanguage('jpn')   // 'ja'
 * @example canonicalLanguage('pt_br') // 'pt-BR'
 * @example canonicalLanguage('und')   // null
 */
export function canonicalLanguage(tag: string | null | undefined): string | null {
  const text = tag?.trim().replace(/_/g, '-')
  if (!text || text.length > 35) return null
  let canonical: string | undefined
  try {
    canonical = Intl.getCanonicalLocales(text)[0]
  } catch {
    return null
  }
  if (!canonical) return null
  return NO_LANGUAGE.has(canonical.split('-')[0]!.toLowerCase()) ? null : canonical
}

/**
 * The language's name in `locale` ("Japanese"), or the tag itself where the runtime has no name.
 * @example languageName('ja') // 'Japanese'
 */
export function languageName(tag: string, locale = 'en'): string {
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(tag)
    return name && name !== tag ? name : tag
  } catch {
    return tag
  }
}

/**
 * Whether two tags name the same language for a viewer: "en" matches "en-GB", "pt-BR" matches "pt".
 * @example sameLanguage('en-US', 'en') // true
 */
export function sameLanguage(a: string | null | undefined, b: string | null | undefined): boolean {
  const x = canonicalLanguage(a)
  const y = canonicalLanguage(b)
  if (!x || !y) return false
  return x.split('-')[0]!.toLowerCase() === y.split('-')[0]!.toLowerCase()
}
