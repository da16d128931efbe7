/**
 * The sandbox's weather: a small deterministic model giving plausible hourly values for any
 * (seed, place, instant). Climate comes from latitude, season and elevation; day-to-day weather
 * from seeded per-day states shared across a 1° region (so nearby places agree), smoothed so
 * temperatures do not jump at midnight; hours add a diurnal cycle and seeded showers. Daily
 * figures are aggregated from the same hours, so hourly and daily answers always agree. All
 * values are metric (°C, km/h, mm, cm, hPa); unit conversion happens when the answer is built.
 */
import { derive } from '../../random.ts';

export interface Cell {
  latitude: number;
  longitude: number;
  elevation: number;
}

export interface HourSample {
  /** Unix seconds of the hour's start. */
  time: number;
  temperature: number;
  humidity: number;
  dewPoint: number;
  apparentTemperature: number;
  precipitation: number;
  rain: number;
  showers: number;
  /** Centimetres of fresh snow. */
  snowfall: number;
  precipitationProbability: number;
  cloudCover: number;
  pressureMsl: number;
  windSpeed: number;
  windDirection: number;
  windGusts: number;
  weatherCode: number;
  isDay: 0 | 1;
  uvIndex: number;
}

interface DayState {
  anomaly: number;
  wet: boolean;
  wetness: number;
  cloudiness: number;
  convective: boolean;
  windBase: number;
  windDirection: number;
}

const DAY_MS = 86_400_000;
const RAD = Math.PI / 180;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function dayOfYear(ms: number): number {
  const d = new Date(ms);
  return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

/** Mean temperature for the latitude and day of year at sea level: warm tropics, cold poles, seasons. */
function climateMean(latitude: number, doy: number): number {
  const annual = 27.5 - 0.0068 * latitude * latitude;
  const amplitude = Math.min(0.22 * Math.abs(latitude), 16);
  const season = Math.cos((2 * Math.PI * (doy - 200)) / 365) * Math.sign(latitude);
  return annual + amplitude * season;
}

/** Diurnal shape in [-1, 1]: coldest around 06 solar time, warmest around 15. */
function diurnal(solarHour: number): number {
  if (solarHour >= 6 && solarHour <= 15) return Math.cos((Math.PI * (solarHour - 15)) / 9);
  const since = solarHour >= 15 ? solarHour : solarHour + 24;
  return Math.cos((Math.PI * (since - 15)) / 15);
}

export interface SunTimes {
  /** Unix seconds; equal to sunset during polar night, the day's bounds during midnight sun. */
  sunrise: number;
  sunset: number;
  daylightSeconds: number;
}

/** Sunrise and sunset for the calendar date starting at `dayStartUtcMs` (declination + equation of time). */
export function sunTimes(
  latitude: number,
  longitude: number,
  dayStartUtcMs: number,
  offsetSeconds = 0,
): SunTimes {
  const calendarStart = dayStartUtcMs + offsetSeconds * 1000;
  const doy = dayOfYear(calendarStart);
  const declination = 23.44 * Math.sin((2 * Math.PI * (284 + doy)) / 365) * RAD;
  const b = (2 * Math.PI * (doy - 81)) / 364;
  const equationMinutes = 9.87 * Math.sin(2 * b) - 7.53 * Math.cos(b) - 1.5 * Math.sin(b);
  const utcMidnight = Math.floor(calendarStart / DAY_MS) * DAY_MS;
  const noon = utcMidnight + (12 - longitude / 15 - equationMinutes / 60) * 3_600_000;
  const phi = latitude * RAD;
  const cosH =
    (Math.sin(-0.833 * RAD) - Math.sin(phi) * Math.sin(declination)) /
    (Math.cos(phi) * Math.cos(declination));
  if (cosH >= 1) return { sunrise: noon / 1000, sunset: noon / 1000, daylightSeconds: 0 };
  if (cosH <= -1) {
    const start = (utcMidnight - offsetSeconds * 1000) / 1000;
    return { sunrise: start, sunset: start + 86_340, daylightSeconds: 86_400 };
  }
  const halfDayMs = Math.round((Math.acos(cosH) / RAD / 15) * 3_600_000);
  return {
    sunrise: Math.round((noon - halfDayMs) / 1000),
    sunset: Math.round((noon + halfDayMs) / 1000),
    daylightSeconds: Math.round((2 * halfDayMs) / 1000),
  };
}

/** Solar elevation (radians) at a unix time. */
function solarElevation(latitude: number, longitude: number, unixSeconds: number): number {
  const ms = unixSeconds * 1000;
  const doy = dayOfYear(ms);
  const declination = 23.44 * Math.sin((2 * Math.PI * (284 + doy)) / 365) * RAD;
  const solarHour = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000 + longitude / 15;
  const hourAngle = (solarHour - 12) * 15 * RAD;
  const phi = latitude * RAD;
  return Math.asin(
    Math.sin(phi) * Math.sin(declination) + Math.cos(phi) * Math.cos(declination) * Math.cos(hourAngle),
  );
}

/** Australian apparent temperature (humidity and wind), °C. */
function apparent(temperature: number, humidity: number, windKmh: number): number {
  const vapour = (humidity / 100) * 6.105 * Math.exp((17.27 * temperature) / (237.7 + temperature));
  return temperature + 0.33 * vapour - 0.7 * (windKmh / 3.6) - 4;
}

function dewPoint(temperature: number, humidity: number): number {
  const g = Math.log(Math.max(humidity, 1) / 100) + (17.62 * temperature) / (243.12 + temperature);
  return (243.12 * g) / (17.62 - g);
}

/** The code for `value` from ascending upper limits: `codes[i]` for the first `limits[i]` above it, else the last. */
function bucket(value: number, limits: readonly number[], codes: readonly number[]): number {
  const index = limits.findIndex((limit) => value < limit);
  return codes[index === -1 ? codes.length - 1 : index] ?? 0;
}

type CodeInputs = Pick<
  HourSample,
  'precipitation' | 'snowfall' | 'showers' | 'temperature' | 'humidity' | 'windSpeed' | 'cloudCover'
>;

/** WMO code for an hour: precipitation decides first (snow, showers, drizzle, rain), then fog, then cloud cover. */
export function weatherCodeFor(h: CodeInputs): number {
  const p = h.precipitation;
  if (p > 0 && h.snowfall > 0) {
    return h.showers > 0 ? bucket(p, [2], [85, 86]) : bucket(p, [1, 4], [71, 73, 75]);
  }
  if (p > 0 && h.showers > 0) {
    return p >= 3 && h.temperature >= 18 ? 95 : bucket(p, [2, 6], [80, 81, 82]);
  }
  if (p > 0 && p < 0.3) return h.temperature < 0 ? 56 : 51;
  if (p > 0) return bucket(p, [2.5, 7.6], [61, 63, 65]);
  if (h.humidity >= 97 && h.windSpeed < 8) return h.temperature < 0 ? 48 : 45;
  return bucket(h.cloudCover, [20, 45, 75], [0, 1, 2, 3]);
}

/** Generates samples for one place; per-day states are memoised for the life of the instance. */
export class PlaceWeather {
  private readonly days = new Map<number, DayState>();
  private readonly rawAnomalies = new Map<number, number>();
  private readonly seed: number;
  private readonly cell: Cell;
  private readonly region: string;
  private readonly place: string;

  constructor(seed: number, cell: Cell) {
    this.seed = seed;
    this.cell = cell;
    this.region = `${Math.round(cell.latitude)}:${Math.round(cell.longitude)}`;
    this.place = `${cell.latitude.toFixed(2)}:${cell.longitude.toFixed(2)}`;
  }

  private rawAnomaly(day: number): number {
    let value = this.rawAnomalies.get(day);
    if (value === undefined) {
      const r = derive(this.seed, `open-meteo:anomaly:${this.region}:${day}`);
      value = (r.next() + r.next() + r.next() - 1.5) * 5;
      this.rawAnomalies.set(day, value);
    }
    return value;
  }

  /** Weather of one solar day in this region. */
  private day(day: number): DayState {
    const cached = this.days.get(day);
    if (cached !== undefined) return cached;
    const r = derive(this.seed, `open-meteo:day:${this.region}:${day}`);
    const lat = Math.abs(this.cell.latitude);
    const wetChance = lat < 12 ? 0.55 : lat < 35 ? 0.2 : 0.4;
    const wet = r.chance(wetChance);
    const wetness = wet ? 0.4 + 0.6 * r.next() : 0.3 * r.next();
    const mean = climateMean(this.cell.latitude, dayOfYear(day * DAY_MS));
    const state: DayState = {
      anomaly: 0.5 * this.rawAnomaly(day) + 0.25 * (this.rawAnomaly(day - 1) + this.rawAnomaly(day + 1)),
      wet,
      wetness,
      cloudiness: wet ? 0.6 + 0.4 * r.next() : 0.7 * r.next(),
      convective: wet && r.chance(mean > 18 ? 0.6 : 0.15),
      windBase: 4 + 18 * r.next() + 10 * wetness,
      windDirection: lat > 30 && lat < 65 ? 180 + r.int(0, 140) : r.int(0, 359),
    };
    this.days.set(day, state);
    return state;
  }

  /** Temperature at a unix time: climate, elevation, the smoothed day anomaly and the diurnal swing. */
  private temperatureAt(at: number): {
    temperature: number;
    diurnalTerm: number;
    state: DayState;
    solarHour: number;
  } {
    const { latitude, longitude, elevation } = this.cell;
    const solarHours = at / 3600 + longitude / 15;
    const solarDay = Math.floor(solarHours / 24);
    const solarHour = solarHours - solarDay * 24;
    const state = this.day(solarDay);
    // The anomaly is interpolated between solar noons so there is no jump at midnight.
    const u = (solarHours - 12) / 24;
    const d0 = Math.floor(u);
    const anomaly = this.day(d0).anomaly + (this.day(d0 + 1).anomaly - this.day(d0).anomaly) * (u - d0);
    const base = climateMean(latitude, dayOfYear(solarDay * DAY_MS)) - 0.0065 * elevation + anomaly;
    const swing = ((Math.abs(latitude) < 20 ? 8 : 10) * (1 - 0.55 * state.cloudiness)) / 2;
    const diurnalTerm = swing * diurnal(solarHour);
    return { temperature: base + diurnalTerm, diurnalTerm, state, solarHour };
  }

  /** Whether and how much it rains or snows in one hour (afternoon showers on convective days). */
  private precipitationIn(
    state: DayState,
    solarHour: number,
    temperature: number,
    r: ReturnType<typeof derive>,
  ): Pick<HourSample, 'precipitation' | 'rain' | 'showers' | 'snowfall'> {
    const afternoon = solarHour >= 12 && solarHour <= 20;
    const convectiveChance = afternoon ? 0.7 : 0.08;
    const chance = state.convective ? convectiveChance : 0.25 + 0.5 * state.wetness;
    const raining = state.wet && r.chance(chance);
    const amount = state.convective ? 1 + 7 * r.next() : 0.1 + 2.4 * r.next();
    if (!raining) return { precipitation: 0, rain: 0, showers: 0, snowfall: 0 };
    const precipitation = Math.max(0.1, round(amount * state.wetness, 1));
    if (temperature < 0.5)
      return { precipitation, rain: 0, showers: 0, snowfall: round(precipitation * 0.7, 2) };
    return state.convective
      ? { precipitation, rain: 0, showers: precipitation, snowfall: 0 }
      : { precipitation, rain: precipitation, showers: 0, snowfall: 0 };
  }

  /** The hour starting at `unixSeconds` (continuous quantities evaluated at `at`, default the start). */
  sample(unixSeconds: number, at = unixSeconds): HourSample {
    const { latitude, longitude } = this.cell;
    const { temperature, diurnalTerm, state, solarHour } = this.temperatureAt(at);
    const r = derive(this.seed, `open-meteo:hour:${this.place}:${Math.floor(unixSeconds / 3600)}`);
    const { precipitation, rain, showers, snowfall } = this.precipitationIn(state, solarHour, temperature, r);

    const noise = r.next() - 0.5;
    const cloudCover = Math.round(
      clamp(state.cloudiness * 100 + noise * 30, precipitation > 0 ? 85 : 0, 100),
    );
    const humidityBase = 55 + 35 * state.wetness - diurnalTerm * 3 + noise * 8;
    const humidity = Math.round(clamp(humidityBase, 12, precipitation > 0 ? 100 : 99));
    const probabilityBase =
      precipitation > 0 ? 55 + 40 * state.wetness : state.wet ? 10 + 40 * state.wetness : 8 * state.wetness;
    const precipitationProbability = Math.round(clamp(probabilityBase + (r.next() - 0.5) * 20, 0, 100));
    const windSpeed = Math.max(0, state.windBase * (1 + 0.06 * diurnalTerm) + (r.next() - 0.5) * 6);
    const windGusts = windSpeed * (1.4 + 0.4 * r.next()) + (showers > 0 ? 15 : 0);
    const windDirection = Math.round((state.windDirection + (r.next() - 0.5) * 60 + 360) % 360);
    const elevationAngle = solarElevation(latitude, longitude, at);
    const isDay = elevationAngle > -0.833 * RAD ? 1 : 0;
    const clearSkyUv = elevationAngle > 0 ? 12.5 * Math.sin(elevationAngle) ** 2.5 : 0;

    const partial = { precipitation, snowfall, showers, temperature, humidity, windSpeed, cloudCover };
    return {
      time: unixSeconds,
      temperature,
      humidity,
      dewPoint: dewPoint(temperature, humidity),
      apparentTemperature: apparent(temperature, humidity, windSpeed),
      precipitation,
      rain,
      showers,
      snowfall,
      precipitationProbability,
      cloudCover,
      pressureMsl: 1013 + (0.5 - state.wetness) * 28 + noise * 3,
      windSpeed,
      windDirection,
      windGusts,
      weatherCode: weatherCodeFor(partial),
      isDay,
      uvIndex: clearSkyUv * (1 - (0.7 * cloudCover) / 100),
    };
  }
}

export interface DaySummary {
  /** Unix seconds of local midnight. */
  start: number;
  weatherCode: number;
  temperatureMax: number;
  temperatureMin: number;
  temperatureMean: number;
  apparentMax: number;
  apparentMin: number;
  sunrise: number;
  sunset: number;
  daylightSeconds: number;
  sunshineSeconds: number;
  uvIndexMax: number;
  precipitationSum: number;
  rainSum: number;
  showersSum: number;
  snowfallSum: number;
  precipitationHours: number;
  precipitationProbabilityMax: number;
  precipitationProbabilityMean: number;
  windSpeedMax: number;
  windGustsMax: number;
  windDirectionDominant: number;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * One local day from its 24 hours. The code is the most severe wet hour's when it rained or
 * snowed, else what the daytime cloud cover (or lasting fog) says — so a dry day never shows rain.
 */
export function summarizeDay(cell: Cell, hours: HourSample[], offsetSeconds: number): DaySummary {
  const first = hours[0];
  if (first === undefined) throw new Error('a day needs hours');
  const wet = hours.filter((h) => h.precipitation > 0);
  const daytime = hours.filter((h) => h.isDay === 1);
  const fogHours = hours.filter((h) => h.weatherCode === 45 || h.weatherCode === 48).length;
  const meanCloud =
    sum((daytime.length > 0 ? daytime : hours).map((h) => h.cloudCover)) /
    Math.max(1, (daytime.length > 0 ? daytime : hours).length);
  const dryCode = fogHours >= 4 ? 45 : meanCloud < 20 ? 0 : meanCloud < 45 ? 1 : meanCloud < 75 ? 2 : 3;
  const east = sum(hours.map((h) => h.windSpeed * Math.sin(h.windDirection * RAD)));
  const north = sum(hours.map((h) => h.windSpeed * Math.cos(h.windDirection * RAD)));
  const sun = sunTimes(cell.latitude, cell.longitude, first.time * 1000, offsetSeconds);
  const temperatures = hours.map((h) => h.temperature);
  const apparents = hours.map((h) => h.apparentTemperature);
  const probabilities = hours.map((h) => h.precipitationProbability);
  return {
    start: first.time,
    weatherCode: wet.length > 0 ? Math.max(...wet.map((h) => h.weatherCode)) : dryCode,
    temperatureMax: Math.max(...temperatures),
    temperatureMin: Math.min(...temperatures),
    temperatureMean: sum(temperatures) / temperatures.length,
    apparentMax: Math.max(...apparents),
    apparentMin: Math.min(...apparents),
    sunrise: sun.sunrise,
    sunset: sun.sunset,
    daylightSeconds: sun.daylightSeconds,
    sunshineSeconds: sum(daytime.map((h) => 3600 * (1 - h.cloudCover / 100) ** 1.5)),
    uvIndexMax: Math.max(...hours.map((h) => h.uvIndex)),
    precipitationSum: sum(hours.map((h) => h.precipitation)),
    rainSum: sum(hours.map((h) => h.rain)),
    showersSum: sum(hours.map((h) => h.showers)),
    snowfallSum: sum(hours.map((h) => h.snowfall)),
    precipitationHours: wet.length,
    precipitationProbabilityMax: Math.max(...probabilities),
    precipitationProbabilityMean: sum(probabilities) / probabilities.length,
    windSpeedMax: Math.max(...hours.map((h) => h.windSpeed)),
    windGustsMax: Math.max(...hours.map((h) => h.windGusts)),
    windDirectionDominant: Math.round((((Math.atan2(east, north) / RAD) % 360) + 360) % 360),
  };
}
