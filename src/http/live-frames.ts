import type { LiveEvent } from '../live/live-event.js';
import { toActivityEventDto, toMilestoneDto, toUserDto } from './dto.js';

/** One Server-Sent Events frame. JSON.stringify escapes line breaks, so the data is one `data:` line. */
export function eventFrame(id: number, event: string, data: unknown): string {
  return `id: ${id}\n${eventBody(event, data)}`;
}

function eventBody(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A live event's frame after its id line, in its wire form (the same DTOs as the JSON routes). */
export function liveEventBody(event: LiveEvent): string {
  return eventBody(event.type, liveEventDto(event));
}

function liveEventDto(event: LiveEvent): unknown {
  switch (event.type) {
    case 'presence':
      return { reader: toUserDto(event.reader), online: event.online };
    case 'milestone':
      return { readerId: event.readerId, milestone: toMilestoneDto(event.milestone) };
    case 'activity':
      return { readerId: event.readerId, event: toActivityEventDto(event.event) };
  }
}
