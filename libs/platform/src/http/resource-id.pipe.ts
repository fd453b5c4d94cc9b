import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

/** PostgreSQL `integer` ids: 1 … 2^31-1. ParseIntPipe alone lets 20-digit ids reach the database (500). */
export const MAX_RESOURCE_ID = 2_147_483_647;

@Injectable()
export class ParseResourceIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = /^[1-9]\d{0,9}$/.test(value) ? Number(value) : Number.NaN;
    if (!(id <= MAX_RESOURCE_ID)) {
      throw new BadRequestException(`id must be an integer between 1 and ${MAX_RESOURCE_ID}`);
    }
    return id;
  }
}
