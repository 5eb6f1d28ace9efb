// Every user-visible string of the UI, in German and English, plus locale-aware
// formatting of numbers, dates and relative times through Intl.

export type Locale = 'de' | 'en';
export const LOCALES: readonly Locale[] = ['de', 'en'];

const en = {
  app_name: 'Imprimatur',
  cancel: 'Cancel',
  close: 'Close',
  dismiss: 'Dismiss',
  loading: 'Loading…',

  // Workspace
  workspace_menu: 'Workspace menu',
  workspace_none: 'No workspace open',
  workspace_open: 'Open workspace…',
  workspace_new: 'New workspace…',
  workspace_path_label: 'Folder path',
  workspace_path_placeholder: 'e.g. /home/anna/Texts',
  workspace_open_submit: 'Open',
  workspace_create_submit: 'Create',
  workspace_language: 'Workspace language: {language}',

  // Document list
  documents: 'Documents',
  documents_empty: 'No documents yet.',
  new_document: 'New document',
  new_document_shortcut: 'New document ({key})',
  new_document_label: 'Title of the new document',
  new_document_placeholder: 'Title, then Enter',
  untitled: 'Untitled',
  doc_updated: 'changed {time}',
  doc_versions_one: '{n} version',
  doc_versions_other: '{n} versions',

  // Footer
  language: 'Language',
  lang_de: 'Deutsch',
  lang_en: 'English',
  author_label: 'Author: {name}',

  // Top bar
  no_document: 'No document open',
  no_document_hint: 'Choose a document on the left or create a new one.',
  save_version: 'Save version',
  save_version_shortcut: 'Save a named version ({key})',
  version_message_label: 'Note for this version (optional)',
  version_message_placeholder: 'What changed?',
  save_version_confirm: 'Save',
  history: 'History',
  history_shortcut: 'Show or hide the version history ({key})',

  // Save status
  save_status_label: 'Save status',
  status_clean: 'Version {n}',
  status_clean_new: 'No version yet',
  status_dirty: 'Unsaved changes',
  status_saving: 'Saving…',
  status_saved: 'Saved · version {n}',
  status_error: 'Not saved',
  status_error_detail: 'Could not save: {message}. Retrying automatically.',

  // Editor
  editor_label: 'Document text',

  // History
  history_title: 'Version history',
  history_close: 'Close history (Esc)',
  history_empty: 'No versions yet.',
  history_list_label: 'Versions, newest first',
  revision_number: 'Version {n}',
  revision_current: 'current',
  revision_by: 'by {author}',
  origin_human: 'Human',
  origin_ai: 'AI',
  origin_import: 'Import',
  origin_label: 'Origin: {origin}',
  revision_restored_from: 'Restored version {n}',

  // Diff
  diff_label: 'Comparison of version {from} with the current version {to}',
  diff_left: 'Version {n} · {date}',
  diff_right: 'Current · version {n}',
  diff_summary: '+{ins} / −{del} words',
  diff_summary_long: '{ins} words added, {del} words removed since version {n}',
  diff_is_current: 'This is the current version.',
  diff_back: 'Back to the editor',
  restore: 'Restore this version',
  restore_busy: 'Restoring…',

  // Notices
  notice_version_saved: 'Version {n} saved.',
  notice_version_unchanged: 'No changes since version {n}, so no new version was created.',
  notice_restored: 'Version {from} restored as version {to}.',
  notice_restore_unchanged: 'The text already matches version {n}.',
  notice_unsaved_blocked: 'Your latest changes could not be saved, so this document stays open.',
  notice_title_required: 'Please enter a title.',

  // Checks
  checks: 'Checks',
  checks_shortcut: 'Show or hide the checks ({key})',
  checks_title: 'Checks',
  checks_close: 'Close checks (Esc)',
  checks_running: 'Checking…',
  checks_running_size: 'Checking {size}…',
  checks_stale: 'Text changed; checking shortly.',
  checks_not_checked: 'Not checked yet.',
  checks_none: 'No findings.',
  checks_error: 'The check failed: {message}',
  checks_findings_one: '{n} finding',
  checks_findings_other: '{n} findings',
  checks_badge: '{n} findings, the most severe: {severity}',
  checks_by_severity: 'By severity',
  checks_by_check: 'By check',
  checks_list_label: 'Findings by check and rule',
  checks_more: 'Show {n} more',
  checks_markers_capped: 'The text marks the {n} most important findings.',
  severity_error: 'Error',
  severity_warning: 'Warning',
  severity_suggestion: 'Suggestion',
  severity_info: 'Info',
  check_style: 'Style',
  check_seo: 'SEO',
  check_facts: 'Facts',
  check_duplicates: 'Duplicates',
  check_document: 'Document',
  checks_scores: 'Scores',
  score_good: 'good',
  score_ok: 'fair',
  score_bad: 'poor',
  score_value: '{key}: {value} of 100, {level}',
  finding_position: 'Line {line}, column {column}',
  finding_select: 'Show in the text',
  finding_fix_title: 'Apply the fix: {label}',
  finding_ignore_here: 'Ignore here',
  finding_ignore_doc: 'Ignore in this document',
  finding_ignore_here_menu: 'Ignore here…',
  finding_ignore_doc_menu: 'Ignore in document…',
  ignore_reason_here: 'Why ignore it here? (required)',
  ignore_reason_doc: 'Why ignore it in this whole document? (required)',
  ignore_reason_placeholder: 'Reason',
  ignore_confirm: 'Ignore',
  ignored_title: 'Ignored',
  ignored_empty: 'Nothing is ignored in this document.',
  ignored_unavailable: 'The list of ignored findings is not available: {message}',
  ignore_scope_here: 'only here',
  ignore_scope_document: 'whole document',
  ignored_no_text: '(no text)',
  ignored_meta: '{author} · {time}',
  unignore: 'Show again',
  notice_fix_stale: 'The text there has changed, so the fix was not applied. Checking again.',
  notice_ignored: 'The finding is ignored from now on.',
  notice_unignored: 'The finding is shown again.',
  notice_reason_required: 'Please give a reason.',

  // SEO panel and snippet preview
  seo: 'SEO',
  seo_button_title: 'Show or hide SEO and readability',
  seo_title: 'SEO & readability',
  seo_close: 'Close SEO (Esc)',
  seo_running: 'Analysing…',
  seo_stale: 'Text changed; analysing shortly.',
  seo_not_analysed: 'Not analysed yet.',
  seo_error: 'The analysis failed: {message}',
  seo_lang: 'Text analysed as {language} (front matter lang, else the workspace language).',
  seo_group_seo: 'SEO',
  seo_group_readability: 'Readability',
  seo_total_label: '{group}: {score} of 100, {rating}',
  seo_rating_good: 'good',
  seo_rating_ok: 'could be better',
  seo_rating_bad: 'problem',
  seo_ratings_summary: '{bad} problems · {ok} improvements · {good} good',
  seo_value_percent: '{value} %',
  seo_value_words: '{value} words',
  seo_value_characters: '{value} characters',
  seo_value_pixels: '{value} px',
  seo_value_count: 'count {value}',
  seo_value_position: 'word {value}',
  seo_value_index: 'value {value}',
  seo_value_title: 'Measured value',
  seo_show_place: 'Show in the text',
  seo_next_place: 'Next place ({i} of {n})',
  seo_whole_text: 'Concerns the whole text.',
  seo_meta_title: 'Metadata',
  seo_keyphrase: 'Focus keyphrase',
  seo_keyphrase_placeholder: 'e.g. heat pump in old houses',
  seo_keyphrase_apply: 'Set',
  seo_keyphrase_hint: 'Written to the front matter (keyphrase:) as one change; Ctrl+Z undoes it.',
  seo_keyphrase_found: 'Found {n}× · density {density} %',
  seo_seo_title: 'SEO title',
  seo_description: 'Meta description',
  seo_slug: 'Slug',
  seo_not_set: 'not set',
  seo_chars: '{n} characters',
  seo_edit_in_text: 'Select in the text',
  seo_stats: '{words} words · {sentences} sentences',
  seo_site_title: 'Across the workspace',
  seo_site_none: 'No other article competes with this one, and there are no link suggestions.',
  seo_place_gone: 'That place has changed since the analysis; analysing again.',
  serp_title: 'Search result preview',
  serp_device: 'Device',
  serp_desktop: 'Desktop',
  serp_mobile: 'Mobile',
  serp_host_unknown: 'your-domain',
  serp_host_hint: 'Set the domain with site_hosts in the [seo] section of imprimatur.toml.',
  serp_no_title: 'No SEO title yet',
  serp_no_description: 'No meta description yet: the search engine picks a passage from the text.',
  serp_title_width: 'Title {width} of {max} px',
  serp_description_width: 'Description {width} of {max} px',
  serp_cut: 'cut off',

  // Rule editor
  rules: 'Rules',
  rules_shortcut: 'Style and brand rules ({key})',
  rules_title: 'Style and brand rules',
  rules_close: 'Close the rule editor (Esc)',
  rules_audit_note: 'Every change is saved as a revision and recorded in the audit log.',
  rules_search: 'Search rules',
  rules_search_placeholder: 'Name, kind, message or pattern',
  rules_filter: 'Show',
  rules_filter_all: 'All rules',
  rules_filter_active: 'Active',
  rules_filter_off: 'Turned off',
  rules_filter_problems: 'With problems',
  rules_none: 'No rule matches.',
  rules_pack_languages: 'checks {languages}',
  rules_pack_unused: 'not in use',
  rules_toggle: 'Rule {code} on or off',
  rules_level: 'Level of {code}',
  level_off: 'Off',
  level_suggestion: 'Suggestion',
  level_warning: 'Warning',
  level_error: 'Error',
  rules_overridden: 'Level set in {file}; the rule file says: {level}',
  rules_condition: 'Runs only when {condition}',
  rules_inactive: 'Does not run',
  rules_revisions: 'Changes recorded: {n}',
  rules_pick: 'Choose a rule on the left.',
  rules_yaml_label: 'YAML of rule {code}',
  rules_save: 'Save rule',
  rules_saving: 'Saving…',
  rules_revert: 'Discard changes',
  rules_saved: 'Rule {code} saved.',
  rules_level_set: '{code}: {level}.',
  rules_dirty: 'Unsaved changes',
  rules_valid: 'Valid YAML',
  rules_problem_at: 'Line {line}, column {column}: {message}',
  rules_save_failed: 'Not saved: {message}',
  rules_unsaved_title: 'Unsaved changes to {code}',
  rules_unsaved_hint: 'Save them, discard them, or keep editing?',
  rules_keep_editing: 'Keep editing',
  rules_try: 'Try it',
  rules_try_label: 'Sample text',
  rules_try_placeholder: 'Type or paste a sample; the findings of this rule, as edited, appear below.',
  rules_try_none: 'No findings in the sample.',
  rules_try_broken: 'Fix the YAML to try the rule.',
  rules_hits_one: '{n} finding',
  rules_hits_other: '{n} findings',
  rules_load_failed: 'The rules could not be loaded: {message}',

  // Relative time
  time_just_now: 'just now',
} as const;

export type MessageKey = keyof typeof en;
type Dictionary = Record<MessageKey, string>;

const de: Dictionary = {
  app_name: 'Imprimatur',
  cancel: 'Abbrechen',
  close: 'Schließen',
  dismiss: 'Ausblenden',
  loading: 'Wird geladen …',

  workspace_menu: 'Arbeitsbereich-Menü',
  workspace_none: 'Kein Arbeitsbereich geöffnet',
  workspace_open: 'Arbeitsbereich öffnen …',
  workspace_new: 'Neuer Arbeitsbereich …',
  workspace_path_label: 'Ordnerpfad',
  workspace_path_placeholder: 'z. B. C:\\Texte\\Magazin',
  workspace_open_submit: 'Öffnen',
  workspace_create_submit: 'Anlegen',
  workspace_language: 'Sprache des Arbeitsbereichs: {language}',

  documents: 'Dokumente',
  documents_empty: 'Noch keine Dokumente.',
  new_document: 'Neues Dokument',
  new_document_shortcut: 'Neues Dokument ({key})',
  new_document_label: 'Titel des neuen Dokuments',
  new_document_placeholder: 'Titel, dann Eingabetaste',
  untitled: 'Ohne Titel',
  doc_updated: 'geändert {time}',
  doc_versions_one: '{n} Version',
  doc_versions_other: '{n} Versionen',

  language: 'Sprache',
  lang_de: 'Deutsch',
  lang_en: 'English',
  author_label: 'Autor/in: {name}',

  no_document: 'Kein Dokument geöffnet',
  no_document_hint: 'Wählen Sie links ein Dokument aus oder legen Sie ein neues an.',
  save_version: 'Version speichern',
  save_version_shortcut: 'Benannte Version speichern ({key})',
  version_message_label: 'Notiz zu dieser Version (optional)',
  version_message_placeholder: 'Was hat sich geändert?',
  save_version_confirm: 'Speichern',
  history: 'Verlauf',
  history_shortcut: 'Versionsverlauf ein- oder ausblenden ({key})',

  save_status_label: 'Speicherstatus',
  status_clean: 'Version {n}',
  status_clean_new: 'Noch keine Version',
  status_dirty: 'Ungespeicherte Änderungen',
  status_saving: 'Wird gespeichert …',
  status_saved: 'Gespeichert · Version {n}',
  status_error: 'Nicht gespeichert',
  status_error_detail: 'Speichern fehlgeschlagen: {message}. Es wird automatisch erneut versucht.',

  editor_label: 'Dokumenttext',

  history_title: 'Versionsverlauf',
  history_close: 'Verlauf schließen (Esc)',
  history_empty: 'Noch keine Versionen.',
  history_list_label: 'Versionen, neueste zuerst',
  revision_number: 'Version {n}',
  revision_current: 'aktuell',
  revision_by: 'von {author}',
  origin_human: 'Mensch',
  origin_ai: 'KI',
  origin_import: 'Import',
  origin_label: 'Herkunft: {origin}',
  revision_restored_from: 'Version {n} wiederhergestellt',

  diff_label: 'Vergleich von Version {from} mit der aktuellen Version {to}',
  diff_left: 'Version {n} · {date}',
  diff_right: 'Aktuell · Version {n}',
  diff_summary: '+{ins} / −{del} Wörter',
  diff_summary_long: 'Seit Version {n}: {ins} Wörter hinzugefügt, {del} Wörter entfernt',
  diff_is_current: 'Das ist die aktuelle Version.',
  diff_back: 'Zurück zum Editor',
  restore: 'Diese Version wiederherstellen',
  restore_busy: 'Wird wiederhergestellt …',

  notice_version_saved: 'Version {n} gespeichert.',
  notice_version_unchanged: 'Keine Änderungen seit Version {n} – es wurde keine neue Version angelegt.',
  notice_restored: 'Version {from} als Version {to} wiederhergestellt.',
  notice_restore_unchanged: 'Der Text entspricht bereits Version {n}.',
  notice_unsaved_blocked:
    'Ihre letzten Änderungen konnten nicht gespeichert werden. Das Dokument bleibt deshalb geöffnet.',
  notice_title_required: 'Bitte geben Sie einen Titel ein.',

  checks: 'Prüfungen',
  checks_shortcut: 'Prüfungen ein- oder ausblenden ({key})',
  checks_title: 'Prüfungen',
  checks_close: 'Prüfungen schließen (Esc)',
  checks_running: 'Wird geprüft …',
  checks_running_size: 'Prüfe {size} …',
  checks_stale: 'Text geändert; wird gleich geprüft.',
  checks_not_checked: 'Noch nicht geprüft.',
  checks_none: 'Keine Befunde.',
  checks_error: 'Die Prüfung ist fehlgeschlagen: {message}',
  checks_findings_one: '{n} Befund',
  checks_findings_other: '{n} Befunde',
  checks_badge: '{n} Befunde, der schwerste: {severity}',
  checks_by_severity: 'Nach Schweregrad',
  checks_by_check: 'Nach Prüfung',
  checks_list_label: 'Befunde nach Prüfung und Regel',
  checks_more: '{n} weitere anzeigen',
  checks_markers_capped: 'Im Text markiert sind die {n} wichtigsten Befunde.',
  severity_error: 'Fehler',
  severity_warning: 'Warnung',
  severity_suggestion: 'Vorschlag',
  severity_info: 'Hinweis',
  check_style: 'Stil',
  check_seo: 'SEO',
  check_facts: 'Fakten',
  check_duplicates: 'Dubletten',
  check_document: 'Dokument',
  checks_scores: 'Bewertungen',
  score_good: 'gut',
  score_ok: 'mittel',
  score_bad: 'schwach',
  score_value: '{key}: {value} von 100, {level}',
  finding_position: 'Zeile {line}, Spalte {column}',
  finding_select: 'Im Text zeigen',
  finding_fix_title: 'Korrektur anwenden: {label}',
  finding_ignore_here: 'Hier ignorieren',
  finding_ignore_doc: 'Im Dokument ignorieren',
  finding_ignore_here_menu: 'Hier ignorieren …',
  finding_ignore_doc_menu: 'Im Dokument ignorieren …',
  ignore_reason_here: 'Warum hier ignorieren? (Pflichtfeld)',
  ignore_reason_doc: 'Warum im ganzen Dokument ignorieren? (Pflichtfeld)',
  ignore_reason_placeholder: 'Begründung',
  ignore_confirm: 'Ignorieren',
  ignored_title: 'Ignoriert',
  ignored_empty: 'In diesem Dokument wird nichts ignoriert.',
  ignored_unavailable: 'Die Liste der ignorierten Befunde ist nicht verfügbar: {message}',
  ignore_scope_here: 'nur hier',
  ignore_scope_document: 'ganzes Dokument',
  ignored_no_text: '(kein Text)',
  ignored_meta: '{author} · {time}',
  unignore: 'Wieder anzeigen',
  notice_fix_stale:
    'Der Text an dieser Stelle hat sich geändert, daher wurde die Korrektur nicht angewendet. Es wird neu geprüft.',
  notice_ignored: 'Der Befund wird ab jetzt ignoriert.',
  notice_unignored: 'Der Befund wird wieder angezeigt.',
  notice_reason_required: 'Bitte geben Sie eine Begründung an.',

  seo: 'SEO',
  seo_button_title: 'SEO und Lesbarkeit ein- oder ausblenden',
  seo_title: 'SEO & Lesbarkeit',
  seo_close: 'SEO schließen (Esc)',
  seo_running: 'Wird analysiert …',
  seo_stale: 'Text geändert; wird gleich analysiert.',
  seo_not_analysed: 'Noch nicht analysiert.',
  seo_error: 'Die Analyse ist fehlgeschlagen: {message}',
  seo_lang: 'Text analysiert als {language} (lang in den Metadaten, sonst die Sprache des Arbeitsbereichs).',
  seo_group_seo: 'SEO',
  seo_group_readability: 'Lesbarkeit',
  seo_total_label: '{group}: {score} von 100, {rating}',
  seo_rating_good: 'gut',
  seo_rating_ok: 'verbesserbar',
  seo_rating_bad: 'Problem',
  seo_ratings_summary: '{bad} Probleme · {ok} verbesserbar · {good} gut',
  seo_value_percent: '{value} %',
  seo_value_words: '{value} Wörter',
  seo_value_characters: '{value} Zeichen',
  seo_value_pixels: '{value} px',
  seo_value_count: 'Anzahl {value}',
  seo_value_position: 'Wort {value}',
  seo_value_index: 'Wert {value}',
  seo_value_title: 'Gemessener Wert',
  seo_show_place: 'Im Text zeigen',
  seo_next_place: 'Nächste Stelle ({i} von {n})',
  seo_whole_text: 'Betrifft den ganzen Text.',
  seo_meta_title: 'Metadaten',
  seo_keyphrase: 'Fokus-Keyphrase',
  seo_keyphrase_placeholder: 'z. B. Wärmepumpe im Altbau',
  seo_keyphrase_apply: 'Setzen',
  seo_keyphrase_hint: 'Wird als eine Änderung in die Metadaten (keyphrase:) geschrieben; Strg+Z macht sie rückgängig.',
  seo_keyphrase_found: '{n}× gefunden · Dichte {density} %',
  seo_seo_title: 'SEO-Titel',
  seo_description: 'Meta-Beschreibung',
  seo_slug: 'Slug',
  seo_not_set: 'nicht gesetzt',
  seo_chars: '{n} Zeichen',
  seo_edit_in_text: 'Im Text auswählen',
  seo_stats: '{words} Wörter · {sentences} Sätze',
  seo_site_title: 'Im Arbeitsbereich',
  seo_site_none: 'Kein anderer Artikel konkurriert mit diesem, und es gibt keine Linkvorschläge.',
  seo_place_gone: 'Die Stelle hat sich seit der Analyse geändert; wird neu analysiert.',
  serp_title: 'Vorschau im Suchergebnis',
  serp_device: 'Gerät',
  serp_desktop: 'Desktop',
  serp_mobile: 'Mobil',
  serp_host_unknown: 'ihre-domain',
  serp_host_hint: 'Die Domain steht unter site_hosts im Abschnitt [seo] der imprimatur.toml.',
  serp_no_title: 'Noch kein SEO-Titel',
  serp_no_description: 'Noch keine Meta-Beschreibung: Die Suchmaschine wählt eine Passage aus dem Text.',
  serp_title_width: 'Titel {width} von {max} px',
  serp_description_width: 'Beschreibung {width} von {max} px',
  serp_cut: 'abgeschnitten',

  rules: 'Regeln',
  rules_shortcut: 'Stil- und Markenregeln ({key})',
  rules_title: 'Stil- und Markenregeln',
  rules_close: 'Regeleditor schließen (Esc)',
  rules_audit_note: 'Jede Änderung wird als Revision gespeichert und im Prüfprotokoll vermerkt.',
  rules_search: 'Regeln suchen',
  rules_search_placeholder: 'Name, Art, Meldung oder Muster',
  rules_filter: 'Zeigen',
  rules_filter_all: 'Alle Regeln',
  rules_filter_active: 'Aktive',
  rules_filter_off: 'Ausgeschaltete',
  rules_filter_problems: 'Mit Problemen',
  rules_none: 'Keine Regel passt.',
  rules_pack_languages: 'prüft {languages}',
  rules_pack_unused: 'nicht in Gebrauch',
  rules_toggle: 'Regel {code} ein- oder ausschalten',
  rules_level: 'Stufe von {code}',
  level_off: 'Aus',
  level_suggestion: 'Vorschlag',
  level_warning: 'Warnung',
  level_error: 'Fehler',
  rules_overridden: 'Stufe in {file} gesetzt; die Regeldatei sagt: {level}',
  rules_condition: 'Läuft nur bei {condition}',
  rules_inactive: 'Läuft nicht',
  rules_revisions: 'Erfasste Änderungen: {n}',
  rules_pick: 'Wählen Sie links eine Regel.',
  rules_yaml_label: 'YAML der Regel {code}',
  rules_save: 'Regel speichern',
  rules_saving: 'Wird gespeichert …',
  rules_revert: 'Änderungen verwerfen',
  rules_saved: 'Regel {code} gespeichert.',
  rules_level_set: '{code}: {level}.',
  rules_dirty: 'Ungespeicherte Änderungen',
  rules_valid: 'Gültiges YAML',
  rules_problem_at: 'Zeile {line}, Spalte {column}: {message}',
  rules_save_failed: 'Nicht gespeichert: {message}',
  rules_unsaved_title: 'Ungespeicherte Änderungen an {code}',
  rules_unsaved_hint: 'Speichern, verwerfen oder weiter bearbeiten?',
  rules_keep_editing: 'Weiter bearbeiten',
  rules_try: 'Ausprobieren',
  rules_try_label: 'Beispieltext',
  rules_try_placeholder: 'Beispieltext eingeben oder einfügen; die Treffer dieser Regel in der bearbeiteten Fassung erscheinen darunter.',
  rules_try_none: 'Keine Treffer im Beispieltext.',
  rules_try_broken: 'Korrigieren Sie das YAML, um die Regel auszuprobieren.',
  rules_hits_one: '{n} Treffer',
  rules_hits_other: '{n} Treffer',
  rules_load_failed: 'Die Regeln konnten nicht geladen werden: {message}',

  time_just_now: 'gerade eben',
};

export const dictionaries: Record<Locale, Dictionary> = { de, en };

/**
 * CodeMirror's own interface strings (search panel, diff view, screen reader
 * announcements), given to `EditorState.phrases`. English uses CodeMirror's defaults.
 */
export const codemirrorPhrases: Record<Locale, Record<string, string>> = {
  en: {},
  de: {
    Find: 'Suchen',
    Replace: 'Ersetzen',
    next: 'Weiter',
    previous: 'Zurück',
    all: 'Alle',
    'match case': 'Groß-/Kleinschreibung',
    regexp: 'Regulärer Ausdruck',
    'by word': 'Ganzes Wort',
    replace: 'Ersetzen',
    'replace all': 'Alle ersetzen',
    close: 'Schließen',
    'current match': 'Aktueller Treffer',
    'on line': 'in Zeile',
    'replaced $ matches': '$ Treffer ersetzt',
    'replaced match on line $': 'Treffer in Zeile $ ersetzt',
    'Go to line': 'Gehe zu Zeile',
    go: 'Los',
    'Control character': 'Steuerzeichen',
    'Selection deleted': 'Auswahl gelöscht',
    'folded code': 'Eingeklappter Text',
    unfold: 'Ausklappen',
    to: 'bis',
    '$ unchanged lines': '$ unveränderte Zeilen',
    Accept: 'Annehmen',
    Reject: 'Ablehnen',
    'Revert this chunk': 'Diesen Abschnitt zurücksetzen',
  },
};

export type Params = Record<string, string | number>;

/** Keys that come in `_one` / `_other` pairs, named without the suffix. */
export type PluralKey = {
  [K in MessageKey]: K extends `${infer Base}_one` ? Base : never;
}[MessageKey];

/** German for a `de…` browser language, English otherwise. */
export function detectLocale(language: string | undefined | null): Locale {
  return language && language.toLowerCase().startsWith('de') ? 'de' : 'en';
}

export function isLocale(value: unknown): value is Locale {
  return value === 'de' || value === 'en';
}

export function formatNumber(locale: Locale, n: number): string {
  return new Intl.NumberFormat(locale).format(n);
}

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const template = dictionaries[locale][key] ?? dictionaries.en[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(locale, value) : value;
  });
}

/** Picks the `_one` or `_other` form for `n` and fills in `{n}`. */
export function translatePlural(locale: Locale, base: PluralKey, n: number, params?: Params): string {
  const form = new Intl.PluralRules(locale).select(n) === 'one' ? 'one' : 'other';
  return translate(locale, `${base}_${form}` as MessageKey, { n, ...params });
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "vor 5 Minuten" / "5 minutes ago"; an absolute date once it is more than a week ago. */
export function formatRelative(locale: Locale, timestamp: number, now: number): string {
  const delta = timestamp - now;
  const abs = Math.abs(delta);
  if (abs < 45_000) return translate(locale, 'time_just_now');
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (abs < 45 * MINUTE) return rtf.format(Math.round(delta / MINUTE), 'minute');
  if (abs < 22 * HOUR) return rtf.format(Math.round(delta / HOUR), 'hour');
  if (abs < 7 * DAY) return rtf.format(Math.round(delta / DAY), 'day');
  return formatDate(locale, timestamp);
}

/** "850 KB", "10,2 MB": the size of a text of `bytes` bytes. */
export function formatSize(locale: Locale, bytes: number): string {
  const mb = bytes >= 1_000_000;
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: mb ? 'megabyte' : 'kilobyte',
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  }).format(mb ? bytes / 1_000_000 : Math.max(1, Math.round(bytes / 1000)));
}

export function formatDate(locale: Locale, timestamp: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(timestamp));
}

export function formatDateTime(locale: Locale, timestamp: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(timestamp),
  );
}
