// The console's texts in English and Ukrainian. They live apart from the public page's
// (shared/i18n.ts), which chooses and remembers the language, so that page's bundle does not
// carry them. `{name}` placeholders are filled from the parameters. Nothing here touches the
// DOM: the tests read the English texts from this module to look for any left untranslated.
//
// Safety wording: EXERCISE is НАВЧАННЯ (a drill alert: НАВЧАЛЬНА тривога), ACTUAL is РЕАЛЬНА
// ТРИВОГА (a real alert: РЕАЛЬНА тривога), always in capitals where English has them.

const EN = {
  title: 'Tocsin console',
  skip: 'Skip to the work area',
  language: 'Українська',
  languageLabel: 'Перейти на українську',
  modeLegend: 'Mode',
  modeExercise: 'EXERCISE',
  modeActual: 'ACTUAL',
  bannerExercise:
    'EXERCISE MODE — what you send is marked Exercise on every channel and never shown as a real alert.',
  bannerActual: 'ACTUAL MODE — what you send reaches the public as a real alert.',
  who: '{name} ({roles}; {jurisdiction})',
  logout: 'Log out',

  loginHeading: 'Log in',
  loginButton: 'Log in',
  name: 'Name',
  password: 'Password',
  useToken: 'Use an API token instead',
  token: 'Token',
  useTokenButton: 'Use token',
  tokenRefused: 'The token was not accepted.',
  passwordHeading: 'Choose a new password',
  passwordNote: 'Your password was set by an administrator and can be used once: choose your own.',
  currentPassword: 'Current password',
  newPassword: 'New password',
  changePassword: 'Change password',

  sections: 'Console sections',
  compose: 'Compose',
  queue: 'Approval queue',
  incidents: 'Active incidents',
  templates: 'Templates',
  operators: 'Operators',
  tokens: 'Tokens',
  webhooks: 'Webhooks',
  audit: 'Audit log',
  refresh: 'Refresh',

  composeHeading: 'Compose an alert',
  eventType: 'Event type',
  severityHint: 'Severity {severity}, urgency {urgency}',
  regions: 'Regions',
  searchRegions: 'Search regions',
  mapLabel: 'Regions to alert',
  textUk: 'Text in Ukrainian',
  textEn: 'Text in English',
  headlineUk: 'Headline (Ukrainian)',
  headlineEn: 'Headline (English)',
  instructionUk: 'Instruction (Ukrainian)',
  instructionEn: 'Instruction (English)',
  expires: 'Expires after (minutes, optional)',
  impact: 'Impact preview',
  noRegion: 'No region chosen yet.',
  impactHead: '{status} {event} ({severity}) for:',
  within: 'and {regions} within it',
  reachesAll: 'Reaches {regions} in all.',
  channels:
    'Channels: the public map and live streams (SSE, WebSocket), the CAP Atom feed, and the webhook, MQTT and Web Push subscribers of these regions.',
  exerciseMarked: 'Marked {exercise} on every channel: never shown as a real alert.',
  exerciseWord: 'Exercise',
  needsApproval: '{approval} before it goes out.',
  needsApprovalStrong: 'Needs a second operator’s approval',
  goesOut: 'Goes out at once.',
  sendExercise: 'Send EXERCISE alert to {regions}',
  sendActual: 'Send ACTUAL alert to {regions}',
  saveTemplate: 'Save as template…',
  confirm: 'Confirm',
  back: 'Back',
  confirmExercise: 'You are about to send an EXERCISE “{event}” alert to {regions}.',
  confirmActual: 'You are about to send an ACTUAL “{event}” alert to {regions}.',
  confirmSendExercise: 'Confirm: send EXERCISE alert',
  confirmSendActual: 'Confirm: send ACTUAL alert',
  sentForApproval: 'Sent for approval: a second operator must approve it in the approval queue.',
  issuedExercise: 'Issued (Exercise).',
  issuedActual: 'Issued (Actual).',
  templatePrompt: 'Template name (two operators, one an admin, must approve it before it can be fired)',
  templateSaved: 'Template “{name}” saved; it waits for approval.',
  regionOne: '{n} region',
  regionFew: '{n} regions',
  regionMany: '{n} regions',

  headAlert: 'Alert',
  headAskedBy: 'Asked by',
  headWhen: 'When',
  headActions: 'Actions',
  headSince: 'Since',
  headTemplate: 'Template',
  headFire: 'Fire',
  queueEmpty: 'Nothing waits for approval.',
  what: '{status} {event}',
  approve: 'Approve {what} for {where}',
  reject: 'Reject',
  approved: 'Approved: the alert is out.',
  rejected: 'Rejected.',
  incidentsEmpty: 'No active incidents.',
  allClear: 'All-clear',
  correct: 'Sent in error: correct',
  updateText: 'Update text',
  confirmAction: 'Confirm: {action}',
  allClearFor: 'all-clear for {where}',
  allClearSent: 'All-clear sent.',
  cancelInError: 'cancel as sent in error',
  correctionSent: 'Correction sent: the alert is withdrawn.',
  updatePrompt: 'New headline (English)',
  updateSent: 'Update sent.',
  templatesEmpty: 'No templates.',
  notApproved: '(not approved yet)',
  fire: 'Fire {status}: {name}',
  approveTemplate: 'Approve template {name}',
  approvedBy: 'approved by {name}',
  templateApproved: 'Approved template {name} (revision {revision}).',
  fireTo: 'fire {name} to {count} region(s)',
  fired: 'Fired: {name}.',
  templatesUnavailable: 'Templates are not available on this hub.',
  error: 'ERROR',
  network: 'The hub cannot be reached.',

  roles: 'Roles',
  jurisdictionCodes: 'Jurisdiction (region codes, comma-separated)',
  createOperator: 'Create operator',
  tokenName: 'Name',
  tokenExpires: 'Expires in (90s, 15m, 12h, 30d or never)',
  createToken: 'Create token',
  url: 'URL',
  regionCodes: 'Regions (codes, comma-separated)',
  eventCodes: 'Event types (comma-separated; empty: all)',
  addWebhook: 'Add webhook',
  auditAction: 'Action (e.g. alert.issued, session.login; empty: all)',
  show: 'Show',
  none: 'None.',
  headSeq: '#',
  headJurisdiction: 'Jurisdiction',
  headState: 'State',
  headExpires: 'Expires',
  headEventTypes: 'Event types',
  headWho: 'Who',
  headAction: 'Action',
  headTarget: 'Target',
  stateDisabled: 'disabled',
  stateOneTime: 'one-time password',
  stateActive: 'active',
  enable: 'Enable {name}',
  disable: 'Disable {name}',
  resetPassword: 'Reset password of {name}',
  enabled: '{name} enabled.',
  disabled: '{name} disabled.',
  oneTimePassword: 'One-time password for {name} (shown once): {password}',
  operatorCreated: 'Created {name}. One-time password (shown once): {password}',
  revokedAt: 'revoked {when}',
  never: 'never',
  revoke: 'Revoke {name}',
  tokenRevoked: 'Token revoked.',
  tokenCreated: 'Token {name} (shown once): {token}',
  allEvents: 'all',
  remove: 'Remove {url}',
  webhookRemoved: 'Webhook removed.',
  webhookAdded: 'Added. Signing secret (shown once): {secret}',

  roleViewer: 'viewer',
  roleAuthor: 'author',
  roleApprover: 'approver',
  roleAdmin: 'admin',
  statusActual: 'ACTUAL',
  statusExercise: 'EXERCISE',
  statusTest: 'TEST',
  statusSystem: 'SYSTEM',
  statusDraft: 'DRAFT',
  severityExtreme: 'Extreme',
  severitySevere: 'Severe',
  severityModerate: 'Moderate',
  severityMinor: 'Minor',
  severityUnknown: 'Unknown',
  urgencyImmediate: 'Immediate',
  urgencyExpected: 'Expected',
  urgencyFuture: 'Future',
  urgencyPast: 'Past',
  urgencyUnknown: 'Unknown',
};

export type TextKey = keyof typeof EN;

const UK: Record<TextKey, string> = {
  title: 'Консоль Tocsin',
  skip: 'Перейти до робочої області',
  language: 'English',
  languageLabel: 'Switch to English',
  modeLegend: 'Режим',
  modeExercise: 'НАВЧАННЯ',
  modeActual: 'РЕАЛЬНА ТРИВОГА',
  bannerExercise:
    'РЕЖИМ НАВЧАННЯ — усе, що ви надсилаєте, позначено як навчання на кожному каналі й ніколи не показується як справжня тривога.',
  bannerActual: 'РЕЖИМ РЕАЛЬНОЇ ТРИВОГИ — усе, що ви надсилаєте, дійде до людей як справжня тривога.',
  who: '{name} ({roles}; {jurisdiction})',
  logout: 'Вийти',

  loginHeading: 'Вхід',
  loginButton: 'Увійти',
  name: 'Ім’я',
  password: 'Пароль',
  useToken: 'Увійти з API-токеном',
  token: 'Токен',
  useTokenButton: 'Використати токен',
  tokenRefused: 'Токен не прийнято.',
  passwordHeading: 'Оберіть новий пароль',
  passwordNote: 'Ваш пароль задав адміністратор, і його можна використати лише раз: оберіть власний.',
  currentPassword: 'Поточний пароль',
  newPassword: 'Новий пароль',
  changePassword: 'Змінити пароль',

  sections: 'Розділи консолі',
  compose: 'Створити',
  queue: 'Черга на затвердження',
  incidents: 'Активні тривоги',
  templates: 'Шаблони',
  operators: 'Оператори',
  tokens: 'Токени',
  webhooks: 'Вебхуки',
  audit: 'Журнал аудиту',
  refresh: 'Оновити',

  composeHeading: 'Створити тривогу',
  eventType: 'Тип події',
  severityHint: 'Серйозність: {severity}; терміновість: {urgency}',
  regions: 'Регіони',
  searchRegions: 'Пошук регіонів',
  mapLabel: 'Регіони для тривоги',
  textUk: 'Текст українською',
  textEn: 'Текст англійською',
  headlineUk: 'Заголовок (українською)',
  headlineEn: 'Заголовок (англійською)',
  instructionUk: 'Інструкція (українською)',
  instructionEn: 'Інструкція (англійською)',
  expires: 'Строк дії (хвилин, необов’язково)',
  impact: 'Охоплення (попередній перегляд)',
  noRegion: 'Регіон ще не обрано.',
  impactHead: '{status} — {event} ({severity}), регіони:',
  within: 'і ще {regions} у його межах',
  reachesAll: 'Усього охоплює {regions}.',
  channels:
    'Канали: публічна мапа й потоки в реальному часі (SSE, WebSocket), стрічка CAP Atom, а також підписники вебхуків, MQTT і Web Push у цих регіонах.',
  exerciseMarked: 'Позначено як {exercise} на кожному каналі: ніколи не показується як справжня тривога.',
  exerciseWord: 'НАВЧАННЯ',
  needsApproval: '{approval}, перш ніж її буде надіслано.',
  needsApprovalStrong: 'Потрібне затвердження другим оператором',
  goesOut: 'Надсилається одразу.',
  sendExercise: 'Надіслати НАВЧАЛЬНУ тривогу в {regions}',
  sendActual: 'Надіслати РЕАЛЬНУ тривогу в {regions}',
  saveTemplate: 'Зберегти як шаблон…',
  confirm: 'Підтвердити',
  back: 'Назад',
  confirmExercise: 'Ви збираєтеся надіслати НАВЧАЛЬНУ тривогу «{event}». Регіони: {regions}.',
  confirmActual: 'Ви збираєтеся надіслати РЕАЛЬНУ тривогу «{event}». Регіони: {regions}.',
  confirmSendExercise: 'Підтвердити: надіслати НАВЧАЛЬНУ тривогу',
  confirmSendActual: 'Підтвердити: надіслати РЕАЛЬНУ тривогу',
  sentForApproval: 'Надіслано на затвердження: її має затвердити другий оператор у черзі на затвердження.',
  issuedExercise: 'Надіслано (НАВЧАННЯ).',
  issuedActual: 'Надіслано (РЕАЛЬНА ТРИВОГА).',
  templatePrompt:
    'Назва шаблону (перш ніж його можна буде запустити, його мають затвердити два оператори, один із них — адміністратор)',
  templateSaved: 'Шаблон «{name}» збережено; він чекає на затвердження.',
  regionOne: '{n} регіон',
  regionFew: '{n} регіони',
  regionMany: '{n} регіонів',

  headAlert: 'Тривога',
  headAskedBy: 'Хто подав',
  headWhen: 'Коли',
  headActions: 'Дії',
  headSince: 'Початок',
  headTemplate: 'Шаблон',
  headFire: 'Запуск',
  queueEmpty: 'Нічого не чекає на затвердження.',
  what: '{status}: {event}',
  approve: 'Затвердити — {what}; регіони: {where}',
  reject: 'Відхилити',
  approved: 'Затверджено: тривогу надіслано.',
  rejected: 'Відхилено.',
  incidentsEmpty: 'Активних тривог немає.',
  allClear: 'Відбій тривоги',
  correct: 'Надіслано помилково: виправити',
  updateText: 'Змінити текст',
  confirmAction: 'Підтвердити: {action}',
  allClearFor: 'відбій тривоги; регіони: {where}',
  allClearSent: 'Відбій тривоги надіслано.',
  cancelInError: 'скасувати як надіслану помилково',
  correctionSent: 'Виправлення надіслано: тривогу відкликано.',
  updatePrompt: 'Новий заголовок (українською)',
  updateSent: 'Зміну надіслано.',
  templatesEmpty: 'Шаблонів немає.',
  notApproved: '(ще не затверджено)',
  fire: 'Запустити — {status}: {name}',
  approveTemplate: 'Затвердити шаблон «{name}»',
  approvedBy: 'затверджено: {name}',
  templateApproved: 'Шаблон «{name}» затверджено (редакція {revision}).',
  fireTo: 'запустити «{name}»; регіонів: {count}',
  fired: 'Запущено: {name}.',
  templatesUnavailable: 'Шаблони на цьому хабі недоступні.',
  error: 'ПОМИЛКА',
  network: 'Хаб недоступний.',

  roles: 'Ролі',
  jurisdictionCodes: 'Юрисдикція (коди регіонів через кому)',
  createOperator: 'Створити оператора',
  tokenName: 'Назва',
  tokenExpires: 'Строк дії (90s, 15m, 12h, 30d або never)',
  createToken: 'Створити токен',
  url: 'URL-адреса',
  regionCodes: 'Регіони (коди через кому)',
  eventCodes: 'Типи подій (коди через кому; порожньо — усі)',
  addWebhook: 'Додати вебхук',
  auditAction: 'Дія (напр. alert.issued, session.login; порожньо — усі)',
  show: 'Показати',
  none: 'Немає.',
  headSeq: '#',
  headJurisdiction: 'Юрисдикція',
  headState: 'Стан',
  headExpires: 'Діє до',
  headEventTypes: 'Типи подій',
  headWho: 'Хто',
  headAction: 'Дія',
  headTarget: 'Об’єкт',
  stateDisabled: 'вимкнено',
  stateOneTime: 'одноразовий пароль',
  stateActive: 'активний',
  enable: 'Увімкнути {name}',
  disable: 'Вимкнути {name}',
  resetPassword: 'Скинути пароль: {name}',
  enabled: '{name}: увімкнено.',
  disabled: '{name}: вимкнено.',
  oneTimePassword: 'Одноразовий пароль для {name} (показано лише раз): {password}',
  operatorCreated: 'Створено оператора {name}. Одноразовий пароль (показано лише раз): {password}',
  revokedAt: 'відкликано {when}',
  never: 'безстроково',
  revoke: 'Відкликати {name}',
  tokenRevoked: 'Токен відкликано.',
  tokenCreated: 'Токен {name} (показано лише раз): {token}',
  allEvents: 'усі',
  remove: 'Видалити {url}',
  webhookRemoved: 'Вебхук видалено.',
  webhookAdded: 'Додано. Секрет для підпису (показано лише раз): {secret}',

  roleViewer: 'переглядач',
  roleAuthor: 'автор',
  roleApprover: 'затверджувач',
  roleAdmin: 'адміністратор',
  statusActual: 'РЕАЛЬНА',
  statusExercise: 'НАВЧАННЯ',
  statusTest: 'ТЕСТ',
  statusSystem: 'СЛУЖБОВА',
  statusDraft: 'ЧЕРНЕТКА',
  severityExtreme: 'надзвичайна',
  severitySevere: 'висока',
  severityModerate: 'помірна',
  severityMinor: 'низька',
  severityUnknown: 'невідома',
  urgencyImmediate: 'негайна',
  urgencyExpected: 'очікувана',
  urgencyFuture: 'майбутня',
  urgencyPast: 'минула',
  urgencyUnknown: 'невідома',
};

/** Every text of the console by language (the tests read the English ones from here). */
export const TEXTS = { en: EN as Record<TextKey, string>, uk: UK } as const;
export type ConsoleLang = keyof typeof TEXTS;

const fill = (text: string, params: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? '');

export function t(lang: ConsoleLang, key: TextKey, params: Record<string, string> = {}): string {
  return fill(TEXTS[lang][key], params);
}

export const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Markup already made (inserted as is by `html`). */
export interface Markup {
  html: string;
}

/** A text as HTML: the text and plain parameters escaped, Markup parameters as they are. */
export function html(lang: ConsoleLang, key: TextKey, params: Record<string, string | Markup> = {}): string {
  return esc(TEXTS[lang][key]).replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    return value === undefined ? '' : typeof value === 'string' ? esc(value) : value.html;
  });
}

const plurals = new Map<ConsoleLang, Intl.PluralRules>();

/** "1 region", "3 regions"; "1 регіон", "3 регіони", "5 регіонів". */
export function regionCount(lang: ConsoleLang, n: number): string {
  let rules = plurals.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    plurals.set(lang, rules);
  }
  const form = rules.select(n);
  const key = form === 'one' ? 'regionOne' : form === 'few' ? 'regionFew' : 'regionMany';
  return t(lang, key, { n: String(n) });
}

/** A word of the API (a role, a CAP status, severity or urgency) in the language; unknown words as they are. */
function word(lang: ConsoleLang, prefix: string, value: string, fallback: string): string {
  const key = `${prefix}${value.charAt(0).toUpperCase()}${value.slice(1)}`;
  return key in EN ? t(lang, key as TextKey) : fallback;
}

/** The status of an alert as its capital-letter mark: ACTUAL / РЕАЛЬНА, EXERCISE / НАВЧАННЯ. */
export const statusMark = (lang: ConsoleLang, status: string) =>
  word(lang, 'status', status, status.toUpperCase());
export const roleName = (lang: ConsoleLang, role: string) => word(lang, 'role', role, role);
export const severityName = (lang: ConsoleLang, severity: string) =>
  word(lang, 'severity', severity, severity);
export const urgencyName = (lang: ConsoleLang, urgency: string) => word(lang, 'urgency', urgency, urgency);

/** The locale for dates and times in the language. */
export const locale = (lang: ConsoleLang) => (lang === 'uk' ? 'uk-UA' : 'en-GB');

/**
 * An error as the console shows it: the hub's code and message as they are (English, stable
 * codes), with the details of a refused field when asked; only "the hub cannot be reached",
 * which the page itself makes up, is said in the language.
 */
export function errorText(lang: ConsoleLang, error: unknown, withDetails = false): string {
  const e = error as { code?: string; message?: string; details?: { path?: string; message?: string }[] };
  const message = e.code === 'NETWORK' ? t(lang, 'network') : (e.message ?? '');
  const details =
    withDetails && e.details?.length
      ? ` (${e.details.map((d) => `${d.path ?? ''} ${d.message ?? ''}`.trim()).join('; ')})`
      : '';
  return `${e.code ?? t(lang, 'error')}: ${message}${details}`;
}
