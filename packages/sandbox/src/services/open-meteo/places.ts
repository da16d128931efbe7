/**
 * The sandbox's gazetteer and clock helpers for the Open-Meteo stand-in: a built-in list of
 * world cities (outdoor destinations among them) answered in the Geocoding API's result shape,
 * with a few deliberate name clashes (Springfield, Portland, Valencia, San Jose…) so clients can
 * be tested on ambiguity; plus the time-zone arithmetic (`timezone=auto`, UTC offsets,
 * abbreviations) done with the platform's Intl data.
 */

export interface City {
  id: number;
  name: string;
  latitude: number;
  longitude: number;
  elevation: number;
  country_code: string;
  country: string;
  admin1?: string;
  timezone: string;
  population: number;
}

const COUNTRIES: Record<string, string> = {
  AE: 'United Arab Emirates',
  AR: 'Argentina',
  AT: 'Austria',
  AU: 'Australia',
  BR: 'Brazil',
  CA: 'Canada',
  CH: 'Switzerland',
  CL: 'Chile',
  CN: 'China',
  CR: 'Costa Rica',
  CZ: 'Czechia',
  DE: 'Germany',
  DK: 'Denmark',
  EG: 'Egypt',
  ES: 'Spain',
  FI: 'Finland',
  FR: 'France',
  GB: 'United Kingdom',
  GR: 'Greece',
  HK: 'Hong Kong',
  IE: 'Ireland',
  IN: 'India',
  IS: 'Iceland',
  IT: 'Italy',
  JP: 'Japan',
  KE: 'Kenya',
  KR: 'South Korea',
  MA: 'Morocco',
  MX: 'Mexico',
  NL: 'Netherlands',
  NO: 'Norway',
  NP: 'Nepal',
  NZ: 'New Zealand',
  PE: 'Peru',
  PL: 'Poland',
  PT: 'Portugal',
  SE: 'Sweden',
  SG: 'Singapore',
  TR: 'Türkiye',
  US: 'United States',
  VE: 'Venezuela',
  ZA: 'South Africa',
};

// name, admin1 ('' when none), country code, latitude, longitude, elevation m, population, time zone
type Row = [string, string, string, number, number, number, number, string];
const ROWS: Row[] = [
  ['Berlin', 'Land Berlin', 'DE', 52.52437, 13.41053, 74, 3426354, 'Europe/Berlin'],
  ['Hamburg', 'Hamburg', 'DE', 53.55073, 9.99302, 6, 1845229, 'Europe/Berlin'],
  ['Munich', 'Bavaria', 'DE', 48.13743, 11.57549, 524, 1260391, 'Europe/Berlin'],
  ['London', 'England', 'GB', 51.50853, -0.12574, 25, 8961989, 'Europe/London'],
  ['London', 'Ontario', 'CA', 42.98339, -81.23304, 251, 383822, 'America/Toronto'],
  ['Manchester', 'England', 'GB', 53.48095, -2.23743, 38, 395515, 'Europe/London'],
  ['Edinburgh', 'Scotland', 'GB', 55.95206, -3.19648, 47, 464990, 'Europe/London'],
  ['Cambridge', 'England', 'GB', 52.2, 0.11667, 15, 145818, 'Europe/London'],
  ['Cambridge', 'Massachusetts', 'US', 42.3751, -71.10561, 12, 118403, 'America/New_York'],
  ['Paris', 'Île-de-France', 'FR', 48.85341, 2.3488, 42, 2138551, 'Europe/Paris'],
  ['Paris', 'Texas', 'US', 33.66094, -95.55551, 182, 24782, 'America/Chicago'],
  ['Lyon', 'Auvergne-Rhône-Alpes', 'FR', 45.74846, 4.84671, 173, 522969, 'Europe/Paris'],
  ['Chamonix', 'Auvergne-Rhône-Alpes', 'FR', 45.9237, 6.8694, 1035, 8611, 'Europe/Paris'],
  ['Madrid', 'Madrid', 'ES', 40.4165, -3.70256, 665, 3255944, 'Europe/Madrid'],
  ['Barcelona', 'Catalonia', 'ES', 41.38879, 2.15899, 47, 1620343, 'Europe/Madrid'],
  ['Valencia', 'Valencia', 'ES', 39.46975, -0.37739, 15, 814208, 'Europe/Madrid'],
  ['Valencia', 'Carabobo', 'VE', 10.16202, -68.00765, 495, 1385202, 'America/Caracas'],
  ['Rome', 'Lazio', 'IT', 41.89193, 12.51133, 20, 2318895, 'Europe/Rome'],
  ['Milan', 'Lombardy', 'IT', 45.46427, 9.18951, 120, 1371498, 'Europe/Rome'],
  ['Amsterdam', 'North Holland', 'NL', 52.37403, 4.88969, 13, 741636, 'Europe/Amsterdam'],
  ['Vienna', 'Vienna', 'AT', 48.20849, 16.37208, 171, 1691468, 'Europe/Vienna'],
  ['Innsbruck', 'Tyrol', 'AT', 47.26266, 11.39454, 574, 112467, 'Europe/Vienna'],
  ['Zurich', 'Zurich', 'CH', 47.36667, 8.55, 429, 341730, 'Europe/Zurich'],
  ['Zermatt', 'Valais', 'CH', 46.02126, 7.74912, 1616, 5643, 'Europe/Zurich'],
  ['Bern', 'Bern', 'CH', 46.94809, 7.44744, 542, 121631, 'Europe/Zurich'],
  ['Oslo', 'Oslo', 'NO', 59.91273, 10.74609, 26, 580000, 'Europe/Oslo'],
  ['Bergen', 'Vestland', 'NO', 60.39299, 5.32415, 10, 213585, 'Europe/Oslo'],
  ['Stockholm', 'Stockholm', 'SE', 59.32938, 18.06871, 17, 1515017, 'Europe/Stockholm'],
  ['Copenhagen', 'Capital Region', 'DK', 55.67594, 12.56553, 14, 1153615, 'Europe/Copenhagen'],
  ['Helsinki', 'Uusimaa', 'FI', 60.16952, 24.93545, 26, 558457, 'Europe/Helsinki'],
  ['Reykjavik', 'Capital Region', 'IS', 64.13548, -21.89541, 24, 118918, 'Atlantic/Reykjavik'],
  ['Dublin', 'Leinster', 'IE', 53.33306, -6.24889, 17, 1024027, 'Europe/Dublin'],
  ['Lisbon', 'Lisbon', 'PT', 38.71667, -9.13333, 45, 517802, 'Europe/Lisbon'],
  ['Prague', 'Prague', 'CZ', 50.08804, 14.42076, 202, 1165581, 'Europe/Prague'],
  ['Warsaw', 'Masovia', 'PL', 52.22977, 21.01178, 113, 1702139, 'Europe/Warsaw'],
  ['Athens', 'Attica', 'GR', 37.98376, 23.72784, 70, 664046, 'Europe/Athens'],
  ['Istanbul', 'Istanbul', 'TR', 41.01384, 28.94966, 39, 14804116, 'Europe/Istanbul'],
  ['Cairo', 'Cairo', 'EG', 30.06263, 31.24967, 23, 7734614, 'Africa/Cairo'],
  ['Nairobi', 'Nairobi', 'KE', -1.28333, 36.81667, 1661, 2750547, 'Africa/Nairobi'],
  ['Cape Town', 'Western Cape', 'ZA', -33.92584, 18.42322, 15, 3433441, 'Africa/Johannesburg'],
  ['Marrakesh', 'Marrakesh-Safi', 'MA', 31.63416, -7.99994, 466, 839296, 'Africa/Casablanca'],
  ['Dubai', 'Dubai', 'AE', 25.07725, 55.30927, 5, 3790000, 'Asia/Dubai'],
  ['Mumbai', 'Maharashtra', 'IN', 19.07283, 72.88261, 14, 12691836, 'Asia/Kolkata'],
  ['Delhi', 'Delhi', 'IN', 28.65195, 77.23149, 227, 11034555, 'Asia/Kolkata'],
  ['Kathmandu', 'Bagmati', 'NP', 27.70169, 85.3206, 1317, 1442271, 'Asia/Kathmandu'],
  ['Singapore', '', 'SG', 1.28967, 103.85007, 15, 5638700, 'Asia/Singapore'],
  ['Tokyo', 'Tokyo', 'JP', 35.6895, 139.69171, 40, 9733276, 'Asia/Tokyo'],
  ['Seoul', 'Seoul', 'KR', 37.566, 126.9784, 38, 10349312, 'Asia/Seoul'],
  ['Beijing', 'Beijing', 'CN', 39.9075, 116.39723, 49, 18960744, 'Asia/Shanghai'],
  ['Hong Kong', '', 'HK', 22.27832, 114.17469, 7, 7491609, 'Asia/Hong_Kong'],
  ['Sydney', 'New South Wales', 'AU', -33.86785, 151.20732, 58, 4627345, 'Australia/Sydney'],
  ['Melbourne', 'Victoria', 'AU', -37.814, 144.96332, 31, 4246375, 'Australia/Melbourne'],
  ['Melbourne', 'Florida', 'US', 28.08363, -80.60811, 6, 84678, 'America/New_York'],
  ['Auckland', 'Auckland', 'NZ', -36.84853, 174.76349, 26, 1711130, 'Pacific/Auckland'],
  ['Queenstown', 'Otago', 'NZ', -45.03023, 168.66271, 329, 15850, 'Pacific/Auckland'],
  ['New York', 'New York', 'US', 40.71427, -74.00597, 10, 8804190, 'America/New_York'],
  ['Boston', 'Massachusetts', 'US', 42.35843, -71.05977, 38, 675647, 'America/New_York'],
  ['Chicago', 'Illinois', 'US', 41.85003, -87.65005, 179, 2746388, 'America/Chicago'],
  ['Denver', 'Colorado', 'US', 39.73915, -104.9847, 1636, 715522, 'America/Denver'],
  ['Boulder', 'Colorado', 'US', 40.01499, -105.27055, 1624, 108250, 'America/Denver'],
  ['Moab', 'Utah', 'US', 38.57332, -109.54984, 1227, 5366, 'America/Denver'],
  ['Seattle', 'Washington', 'US', 47.60621, -122.33207, 56, 737015, 'America/Los_Angeles'],
  ['Portland', 'Oregon', 'US', 45.52345, -122.67621, 15, 652503, 'America/Los_Angeles'],
  ['Portland', 'Maine', 'US', 43.66147, -70.25533, 9, 68408, 'America/New_York'],
  ['San Francisco', 'California', 'US', 37.77493, -122.41942, 16, 873965, 'America/Los_Angeles'],
  ['Los Angeles', 'California', 'US', 34.05223, -118.24368, 89, 3898747, 'America/Los_Angeles'],
  ['San Jose', 'California', 'US', 37.33939, -121.89496, 26, 1013240, 'America/Los_Angeles'],
  ['San José', 'San José', 'CR', 9.93333, -84.08333, 1161, 342188, 'America/Costa_Rica'],
  ['San Diego', 'California', 'US', 32.71571, -117.16472, 20, 1386932, 'America/Los_Angeles'],
  ['Springfield', 'Illinois', 'US', 39.80172, -89.64371, 182, 114394, 'America/Chicago'],
  ['Springfield', 'Missouri', 'US', 37.21533, -93.29824, 397, 169176, 'America/Chicago'],
  ['Springfield', 'Massachusetts', 'US', 42.10148, -72.58981, 21, 155929, 'America/New_York'],
  ['Anchorage', 'Alaska', 'US', 61.21806, -149.90028, 31, 291247, 'America/Anchorage'],
  ['Honolulu', 'Hawaii', 'US', 21.30694, -157.85833, 18, 350964, 'Pacific/Honolulu'],
  ['Miami', 'Florida', 'US', 25.77427, -80.19366, 25, 442241, 'America/New_York'],
  ['Toronto', 'Ontario', 'CA', 43.70011, -79.4163, 175, 2731571, 'America/Toronto'],
  ['Vancouver', 'British Columbia', 'CA', 49.24966, -123.11934, 70, 662248, 'America/Vancouver'],
  ['Banff', 'Alberta', 'CA', 51.17622, -115.56982, 1383, 7851, 'America/Edmonton'],
  ['Montreal', 'Quebec', 'CA', 45.50884, -73.58781, 216, 1762949, 'America/Toronto'],
  ['Mexico City', 'Mexico City', 'MX', 19.42847, -99.12766, 2240, 12294193, 'America/Mexico_City'],
  [
    'Buenos Aires',
    'Buenos Aires F.D.',
    'AR',
    -34.61315,
    -58.37723,
    25,
    13076300,
    'America/Argentina/Buenos_Aires',
  ],
  ['Santiago', 'Santiago Metropolitan', 'CL', -33.45694, -70.64827, 556, 4837295, 'America/Santiago'],
  ['Lima', 'Lima', 'PE', -12.04318, -77.02824, 108, 7737002, 'America/Lima'],
  ['Rio de Janeiro', 'Rio de Janeiro', 'BR', -22.90642, -43.18223, 9, 6747815, 'America/Sao_Paulo'],
  ['Ushuaia', 'Tierra del Fuego', 'AR', -54.8, -68.3, 11, 58028, 'America/Argentina/Ushuaia'],
];

/** A stable id per city (the real API uses GeoNames ids; these are the sandbox's own). */
function cityId(name: string, admin1: string, countryCode: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${name}|${admin1}|${countryCode}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return 1_000_000 + ((h >>> 0) % 8_999_999);
}

export const CITIES: readonly City[] = ROWS.map(
  ([name, admin1, cc, lat, lon, elevation, population, tz]) => ({
    id: cityId(name, admin1, cc),
    name,
    latitude: lat,
    longitude: lon,
    elevation,
    country_code: cc,
    country: COUNTRIES[cc] ?? cc,
    ...(admin1 ? { admin1 } : {}),
    timezone: tz,
    population,
  }),
);

/** Lower case without diacritics: "San José" and "san jose" compare equal. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim();
}

/**
 * Geocoding-style search: two characters match a name exactly, three or more match its start;
 * exact matches first, then by population (the real service ranks big places first too).
 */
export function searchCities(name: string, count: number): City[] {
  const query = fold(name);
  if (query.length < 2) return [];
  const matches = CITIES.filter((c) => {
    const folded = fold(c.name);
    return query.length === 2 ? folded === query : folded.startsWith(query);
  });
  const exact = (c: City): number => (fold(c.name) === query ? 0 : 1);
  return matches.sort((a, b) => exact(a) - exact(b) || b.population - a.population).slice(0, count);
}

/** Great-circle distance in km. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function nearestCity(latitude: number, longitude: number): { city: City; km: number } | undefined {
  let best: { city: City; km: number } | undefined;
  for (const city of CITIES) {
    const km = distanceKm(latitude, longitude, city.latitude, city.longitude);
    if (best === undefined || km < best.km) best = { city, km };
  }
  return best;
}

/** `timezone=auto`: the zone of the nearest known city within 500 km, else GMT (open sea, poles). */
export function autoTimezone(latitude: number, longitude: number): string {
  const near = nearestCity(latitude, longitude);
  return near !== undefined && near.km <= 500 ? near.city.timezone : 'GMT';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The IANA zone as the platform spells it, or undefined when it is not a zone. */
export function knownTimezone(timeZone: string): string | undefined {
  try {
    return formatter(timeZone).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The zone's offset from UTC at `at`, in seconds, and its short name ("EST", "GMT+1"). */
export function zoneAt(timeZone: string, at: Date): { offsetSeconds: number; abbreviation: string } {
  const parts = formatter(timeZone).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  const offsetSeconds = Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 1000);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return { offsetSeconds, abbreviation: timeZone === 'GMT' ? 'GMT' : name };
}
