/**
 * Turning what a model writes ("Chamonix", "Portland, Maine", "Paris, FR", "46.02, 7.75") into
 * one place. Geocoding matches names only, so a trailing ", region, country" is split off and
 * used to filter the candidates. A clearly dominant match (far bigger than the next) is taken;
 * otherwise the call fails with the candidates listed so the model can ask again precisely.
 */
import { ToolError } from '@gatehouse/kit';
import type { GeocodingResult } from './connectors/open-meteo.ts';

export interface Place {
  name: string;
  region?: string;
  country?: string;
  latitude: number;
  longitude: number;
}

/** A candidate wins outright when it has at least this many times the next one's population. */
const DOMINANCE = 5;

/** Lower case without diacritics: "San José" matches "san jose". */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** "46.02, 7.75" or "46.02 7.75" as coordinates; undefined for anything else. */
export function parseCoordinates(text: string): { latitude: number; longitude: number } | undefined {
  const match = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(text);
  if (match === null) return undefined;
  const latitude = Number(match[1]);
  const longitude = Number(match[2]);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return { latitude, longitude };
}

/** "Portland, Maine, US" → name "Portland", qualifiers ["maine", "us"]. */
export function splitLocation(location: string): { name: string; qualifiers: string[] } {
  const [name = '', ...rest] = location.split(',').map((part) => part.trim());
  return { name, qualifiers: rest.filter((q) => q !== '').map(fold) };
}

/** "Springfield, Missouri, United States" (the region left out when it repeats the name). */
export function describePlace(place: Pick<GeocodingResult, 'name' | 'admin1' | 'country'>): string {
  const parts = [place.name];
  if (place.admin1 && fold(place.admin1) !== fold(place.name)) parts.push(place.admin1);
  if (place.country) parts.push(place.country);
  return parts.join(', ');
}

export function placeOf(result: GeocodingResult): Place {
  return {
    name: result.name,
    ...(result.admin1 && fold(result.admin1) !== fold(result.name) ? { region: result.admin1 } : {}),
    ...(result.country ? { country: result.country } : {}),
    latitude: result.latitude,
    longitude: result.longitude,
  };
}

// Two-letter postal codes of US states and Canadian provinces, which geocoding results spell out.
const REGION_CODES: Record<string, Record<string, string>> = {
  US: Object.fromEntries(
    'al alabama,ak alaska,az arizona,ar arkansas,ca california,co colorado,ct connecticut,de delaware,dc district of columbia,fl florida,ga georgia,hi hawaii,id idaho,il illinois,in indiana,ia iowa,ks kansas,ky kentucky,la louisiana,me maine,md maryland,ma massachusetts,mi michigan,mn minnesota,ms mississippi,mo missouri,mt montana,ne nebraska,nv nevada,nh new hampshire,nj new jersey,nm new mexico,ny new york,nc north carolina,nd north dakota,oh ohio,ok oklahoma,or oregon,pa pennsylvania,ri rhode island,sc south carolina,sd south dakota,tn tennessee,tx texas,ut utah,vt vermont,va virginia,wa washington,wv west virginia,wi wisconsin,wy wyoming'
      .split(',')
      .map((pair) => [pair.slice(0, 2), pair.slice(3)]),
  ),
  CA: Object.fromEntries(
    'ab alberta,bc british columbia,mb manitoba,nb new brunswick,nl newfoundland and labrador,ns nova scotia,on ontario,pe prince edward island,qc quebec,sk saskatchewan,nt northwest territories,nu nunavut,yt yukon'
      .split(',')
      .map((pair) => [pair.slice(0, 2), pair.slice(3)]),
  ),
};

function matchesQualifier(result: GeocodingResult, qualifier: string): boolean {
  const fields = [result.admin1, result.country, result.country_code]
    .filter((f): f is string => !!f)
    .map(fold);
  if (fields.some((field) => field === qualifier || (qualifier.length >= 3 && field.startsWith(qualifier)))) {
    return true;
  }
  const region = REGION_CODES[result.country_code ?? '']?.[qualifier];
  return region !== undefined && result.admin1 !== undefined && fold(result.admin1) === region;
}

function withPopulation(result: GeocodingResult): string {
  const population = result.population ? ` (pop. ${result.population.toLocaleString('en-US')})` : '';
  return `${describePlace(result)}${population}`;
}

/**
 * Chooses the place a location string means among the geocoder's results (non-empty). Exact
 * name matches beat prefix matches; qualifiers must each match the region, country or country code.
 */
export function choosePlace(location: string, results: GeocodingResult[]): GeocodingResult {
  const { name, qualifiers } = splitLocation(location);
  const exact = results.filter((r) => fold(r.name) === fold(name));
  const named = exact.length > 0 ? exact : results;
  const candidates = named.filter((r) => qualifiers.every((q) => matchesQualifier(r, q)));
  if (candidates.length === 0) {
    const known = named.slice(0, 5).map(describePlace);
    throw new ToolError(
      'unknown_location',
      `No place called "${name}" matches "${location.slice(location.indexOf(',') + 1).trim()}". Places called ${name} include: ${known.join('; ')}. ` +
        'Ask again with one of these, the full region or country name, or latitude and longitude.',
      { location, candidates: known },
    );
  }
  const sorted = [...candidates].sort((a, b) => (b.population ?? 0) - (a.population ?? 0));
  const [first, second] = sorted;
  if (first === undefined) throw new Error('unreachable: no candidates');
  const lead = first.population ?? 0;
  if (second === undefined || (lead > 0 && lead >= DOMINANCE * (second.population ?? 0))) return first;
  const options = sorted.slice(0, 5);
  throw new ToolError(
    'ambiguous_location',
    `"${location}" could mean several places: ${options.map(withPopulation).join('; ')}. ` +
      `Ask again naming the region or country, e.g. "${describePlace(first)}", or give latitude and longitude.`,
    { location, candidates: options.map(describePlace) },
  );
}

/** The error for a name the geocoder does not know, with near spellings when there are some. */
export function unknownPlace(location: string, suggestions: GeocodingResult[]): ToolError {
  const near = suggestions.slice(0, 3).map(describePlace);
  const hint = near.length > 0 ? ` Did you mean: ${near.join('; ')}?` : '';
  return new ToolError(
    'unknown_location',
    `No place called "${location}" was found.${hint} Check the spelling, name a nearby larger town, or give latitude and longitude.`,
    { location, suggestions: near },
  );
}
