// Ukrainian and English: chosen from the browser's languages, switchable, remembered. Texts are
// looked up by key; `{name}` placeholders are filled from the parameters.

export type Lang = 'uk' | 'en';
export const LANGS: readonly Lang[] = ['uk', 'en'];
const STORAGE_KEY = 'tocsin.lang';

const TEXTS = {
  uk: {
    title: 'Тривоги зараз',
    skip: 'До списку тривог',
    activeAlerts: 'Активні тривоги',
    noAlerts: 'Зараз тривог немає.',
    since: 'з {time} ({duration})',
    exercise: 'НАВЧАННЯ',
    test: 'ТЕСТ',
    exerciseNote: 'не справжня тривога',
    map: 'Мапа регіонів',
    mapLabel: 'Мапа регіонів України; оберіть регіон, щоб побачити його історію',
    legend: 'Легенда',
    quiet: 'Тривоги немає',
    partial: 'Тривога в частині регіону',
    exerciseLegend: 'Навчання або тест',
    lost: 'Зв’язок втрачено — дані можуть бути застарілими. Перепідключення…',
    live: 'Онлайн',
    language: 'English',
    languageLabel: 'Switch to English',
    regionState: '{region}: {state}',
    noAlert: 'тривоги немає',
    history: 'Історія',
    stats: 'Статистика за 30 днів',
    noHistory: 'Записів немає.',
    count: 'Кількість',
    total: 'Загалом',
    longest: 'Найдовша',
    event: 'Подія',
    back: 'Назад до всіх регіонів',
    ended: 'завершено {time}',
    active: 'триває',
    myPlace: 'Тривоги для мого місця',
    chooseRegion: 'Мій регіон',
    none: '—',
    useLocation: 'Визначити за місцезнаходженням',
    locating: 'Визначаємо…',
    locationFailed: 'Не вдалося визначити місцезнаходження.',
    sound: 'Звук, коли тривога починається в моєму регіоні',
    notify: 'Сповіщення (Web Push)',
    pushUnavailable: 'Сповіщення на цьому сервері або в цьому браузері недоступні.',
    chooseFirst: 'Спершу оберіть свій регіон.',
    pushOn: 'Сповіщення увімкнено.',
    pushDenied: 'Браузер не дозволив сповіщення.',
    yourRegion: 'ваш регіон',
    attribution: 'Межі',
    regions: 'Регіони',
    loading: 'Завантаження…',
    loadFailed: 'Не вдалося завантажити дані: {message}',
  },
  en: {
    title: 'Alerts now',
    skip: 'Skip to the alert list',
    activeAlerts: 'Active alerts',
    noAlerts: 'No active alerts.',
    since: 'since {time} ({duration})',
    exercise: 'EXERCISE',
    test: 'TEST',
    exerciseNote: 'not a real alert',
    map: 'Map of regions',
    mapLabel: 'Map of the regions of Ukraine; choose a region to see its history',
    legend: 'Legend',
    quiet: 'No alert',
    partial: 'Alert in part of the region',
    exerciseLegend: 'Exercise or test',
    lost: 'Connection lost — data may be stale. Reconnecting…',
    live: 'Live',
    language: 'Українська',
    languageLabel: 'Перейти на українську',
    regionState: '{region}: {state}',
    noAlert: 'no alert',
    history: 'History',
    stats: 'Statistics, last 30 days',
    noHistory: 'Nothing recorded.',
    count: 'Count',
    total: 'Total',
    longest: 'Longest',
    event: 'Event',
    back: 'Back to all regions',
    ended: 'ended {time}',
    active: 'active',
    myPlace: 'Alerts for my place',
    chooseRegion: 'My region',
    none: '—',
    useLocation: 'Use my location',
    locating: 'Locating…',
    locationFailed: 'Could not find your location.',
    sound: 'Sound when an alert starts in my region',
    notify: 'Notifications (Web Push)',
    pushUnavailable: 'Notifications are not available on this server or in this browser.',
    chooseFirst: 'Choose your region first.',
    pushOn: 'Notifications are on.',
    pushDenied: 'The browser did not allow notifications.',
    yourRegion: 'your region',
    attribution: 'Boundaries',
    regions: 'Regions',
    loading: 'Loading…',
    loadFailed: 'Could not load data: {message}',
  },
} as const;

export type TextKey = keyof (typeof TEXTS)['en'];

/** The remembered choice, else the first of the browser's languages we speak, else Ukrainian. */
export function initialLang(): Lang {
  const saved = safeStorage()?.getItem(STORAGE_KEY);
  if (saved === 'uk' || saved === 'en') return saved;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'uk') return 'uk';
    if (base === 'en') return 'en';
  }
  return 'uk';
}

export function rememberLang(lang: Lang): void {
  safeStorage()?.setItem(STORAGE_KEY, lang);
}

export function t(lang: Lang, key: TextKey, params: Record<string, string> = {}): string {
  return TEXTS[lang][key].replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? '');
}

/** A name in the page's language, falling back to the other one, then to the code. */
export function nameIn(names: Record<string, string> | undefined, lang: Lang, fallback: string): string {
  return names?.[lang] ?? names?.[lang === 'uk' ? 'en' : 'uk'] ?? fallback;
}

/** Storage can be off (privacy modes); the page works without it. */
export function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
