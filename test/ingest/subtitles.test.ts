import { describe, expect, it } from 'vitest';
import {
  cuesToTranscript,
  detectSubtitleFormat,
  parseSubtitles,
  parseTimestamp,
  type Cue,
} from '../../src/ingest/subtitles.js';

const cue = (start: number, end: number, text: string): Cue => ({ start, end, text });

describe('parseTimestamp', () => {
  it.each([
    ['00:00:01.000', 1],
    ['01:02:03.456', 3723.456],
    ['02:03.5', 123.5],
    ['00:00:01,250', 1.25],
    ['1:02:03.4', 3723.4],
    ['00:01', 1],
    ['100:00:00.000', 360000],
    ['00:60:00.000', null],
    ['00:00:61.000', null],
    ['abc', null],
    ['', null],
    ['-00:01.000', null],
  ])('%s -> %s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });
});

describe('detectSubtitleFormat', () => {
  it.each([
    ['WEBVTT\n\n00:01.000 --> 00:02.000\nhi', 'vtt'],
    ['\uFEFFWEBVTT - Some title\r\n', 'vtt'],
    ['WEBVTT\tx', 'vtt'],
    ['WEBVTTX\n', 'srt'],
    ['1\n00:00:01,000 --> 00:00:02,000\nhi', 'srt'],
  ])('%j -> %s', (text, expected) => {
    expect(detectSubtitleFormat(text)).toBe(expected);
  });
});

const cases: { name: string; input: string; expected: Cue[] }[] = [
  { name: 'empty input', input: '', expected: [] },
  { name: 'header only', input: 'WEBVTT\n', expected: [] },
  {
    name: 'basic SRT',
    input: '1\n00:00:01,000 --> 00:00:03,500\nSquat down\n\n2\n00:00:04,000 --> 00:00:06,000\nStand up\n',
    expected: [cue(1, 3.5, 'Squat down'), cue(4, 6, 'Stand up')],
  },
  {
    name: 'SRT with CRLF, BOM and multi-line text',
    input: '\uFEFF1\r\n00:00:01,000 --> 00:00:02,000\r\nKeep your back\r\nstraight\r\n\r\n',
    expected: [cue(1, 2, 'Keep your back straight')],
  },
  {
    name: 'VTT header text, metadata headers, NOTE, STYLE and REGION blocks',
    input: [
      'WEBVTT - Workout',
      'Kind: captions',
      'Language: en',
      '',
      'STYLE',
      '::cue { color: yellow }',
      '',
      'REGION',
      'id:left width:40%',
      '',
      'NOTE this is a comment',
      'spanning two lines 00:00:01.000 --> 00:00:02.000',
      '',
      '00:01.000 --> 00:02.000',
      'Plank',
      '',
    ].join('\n'),
    expected: [cue(1, 2, 'Plank')],
  },
  {
    name: 'VTT cue identifiers and cue settings',
    input: 'WEBVTT\n\nintro\n00:00:01.000 --> 00:00:02.000 align:start position:10%\nHello\n\n2\n00:00:02.000 --> 00:00:03.000 line:0\nAgain\n',
    expected: [cue(1, 2, 'Hello'), cue(2, 3, 'Again')],
  },
  {
    name: 'MM:SS and HH:MM:SS times mixed',
    input: 'WEBVTT\n\n00:59.000 --> 01:00:01.500\nLong one\n',
    expected: [cue(59, 3601.5, 'Long one')],
  },
  {
    name: 'tags and karaoke timestamps stripped',
    input:
      'WEBVTT\n\n00:00.000 --> 00:03.000\n<v Coach>Lift<00:00:00.500><c> your</c><00:00:01.000><c.yellow> knees</c></v> <i>high</i> <b>now</b>\n',
    expected: [cue(0, 3, 'Lift your knees high now')],
  },
  {
    name: 'entities decoded once',
    input: 'WEBVTT\n\n00:00.000 --> 00:01.000\nSets &amp; reps &lt;3&gt;&nbsp;go &amp;lt; &#39;x&#x27;\n',
    expected: [cue(0, 1, "Sets & reps <3> go &lt; 'x'")],
  },
  {
    name: 'SRT font tags and ASS overrides',
    input: '1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color="#ffffff">Breathe</font> out\n',
    expected: [cue(1, 2, 'Breathe out')],
  },
  {
    name: 'malformed cues skipped, the rest kept',
    input: [
      '1',
      '00:00:01,000 --> 00:00:02,000',
      'good one',
      '',
      '2',
      '00:00:xx,000 --> 00:00:03,000',
      'bad time',
      '',
      '3',
      '00:00:05,000 --> 00:00:04,000',
      'ends before it starts',
      '',
      '4',
      '00:00:06,000 --> 00:00:07,000',
      '',
      '5',
      'no timing line at all',
      '',
      '6',
      '00:00:08,000 --> 00:00:09,000',
      'good two',
    ].join('\n'),
    expected: [cue(1, 2, 'good one'), cue(8, 9, 'good two')],
  },
  {
    name: 'SRT missing blank lines between cues',
    input: '1\n00:00:01,000 --> 00:00:02,000\nfirst\n2\n00:00:02,000 --> 00:00:03,000\nsecond\n',
    expected: [cue(1, 2, 'first'), cue(2, 3, 'second')],
  },
  {
    name: 'YouTube auto-caption rolling duplicates collapsed',
    input: [
      'WEBVTT',
      'Kind: captions',
      'Language: en',
      '',
      '00:00:00.000 --> 00:00:02.350 align:start position:0%',
      ' ',
      'welcome<00:00:00.480><c> back</c><00:00:00.960><c> everyone</c>',
      '',
      '00:00:02.350 --> 00:00:02.360 align:start position:0%',
      'welcome back everyone',
      ' ',
      '',
      '00:00:02.360 --> 00:00:05.120 align:start position:0%',
      'welcome back everyone',
      "today<00:00:02.800><c> we're</c><00:00:03.120><c> doing</c><00:00:03.500><c> squats</c>",
      '',
      '00:00:05.120 --> 00:00:05.130 align:start position:0%',
      "today we're doing squats",
      ' ',
      '',
      '00:00:05.130 --> 00:00:07.000 align:start position:0%',
      "today we're doing squats",
      'and lunges',
      '',
    ].join('\n'),
    expected: [
      cue(0, 2.36, 'welcome back everyone'),
      cue(2.36, 5.13, "today we're doing squats"),
      cue(5.13, 7, 'and lunges'),
    ],
  },
  {
    name: 'same line repeated much later is kept',
    input: 'WEBVTT\n\n00:01.000 --> 00:02.000\nGo!\n\n00:30.000 --> 00:31.000\nGo!\n',
    expected: [cue(1, 2, 'Go!'), cue(30, 31, 'Go!')],
  },
  {
    name: 'cue whose text is only tags is dropped',
    input: 'WEBVTT\n\n00:01.000 --> 00:02.000\n<c></c>\n\n00:02.000 --> 00:03.000\nreal\n',
    expected: [cue(2, 3, 'real')],
  },
  {
    name: 'old Mac line endings',
    input: 'WEBVTT\r\r00:01.000 --> 00:02.000\rCR only\r',
    expected: [cue(1, 2, 'CR only')],
  },
];

describe('parseSubtitles', () => {
  it.each(cases)('$name', ({ input, expected }) => {
    expect(parseSubtitles(input)).toEqual(expected);
  });

  it('never throws on garbage', () => {
    for (const junk of ['-->', '\n\n\n', 'WEBVTT\n\n-->\n-->', '\uFEFF', '1\n2\n3', '00:00 --> 00:01\n']) {
      expect(() => parseSubtitles(junk)).not.toThrow();
    }
  });
});

describe('cuesToTranscript', () => {
  it.each([
    { cues: [], expected: '' },
    { cues: [cue(12.5, 15, 'Squats')], expected: '[12.5-15.0] Squats' },
    {
      cues: [cue(0, 1.04, 'a'), cue(1.05, 2, '  spaced \n out  '), cue(3, 4, '   ')],
      expected: '[0.0-1.0] a\n[1.1-2.0] spaced out',
    },
  ])('%#', ({ cues, expected }) => {
    expect(cuesToTranscript(cues)).toBe(expected);
  });
});
