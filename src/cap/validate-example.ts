// A complete alert that passes CAP 1.2 and the Tocsin profile with no finding at all: the
// starting point of validation tests and benchmarks, each of which changes one thing.
import type { Alert } from './types.ts';

/** A fresh copy of a valid Sumy oblast air raid alert. */
export function validAlert(): Alert {
  return {
    identifier: 'UA-2026-0001',
    sender: 'tocsin@example.org',
    sent: '2026-11-26T10:42:00+02:00',
    status: 'Actual',
    msgType: 'Alert',
    scope: 'Public',
    code: [],
    info: [
      {
        language: 'uk',
        category: ['Security'],
        event: 'Повітряна тривога',
        responseType: ['Shelter'],
        urgency: 'Immediate',
        severity: 'Extreme',
        certainty: 'Likely',
        eventCode: [{ valueName: 'TOCSIN', value: 'air_raid' }],
        effective: '2026-11-26T10:42:00+02:00',
        expires: '2026-11-26T12:42:00+02:00',
        senderName: 'Сумська ОВА',
        headline: 'Повітряна тривога',
        parameter: [],
        resource: [],
        area: [
          {
            areaDesc: 'Сумська область',
            polygon: [
              [
                [50, 33],
                [51, 33],
                [51, 35],
                [50, 35],
                [50, 33],
              ],
            ],
            circle: [],
            geocode: [{ valueName: 'ISO 3166-2', value: 'UA-59' }],
          },
        ],
      },
    ],
  };
}
