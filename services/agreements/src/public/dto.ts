import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength, MinLength } from 'class-validator';

/** POST /agreements/{id}/visibility: public (readable without a key at /public/...) or private, and why. */
export class VisibilityDto {
  @ApiProperty({
    example: true,
    description:
      'true: readable without a key at /public/agreements/{id}; false: private again (the default)',
  })
  @IsBoolean()
  public: boolean;

  @ApiProperty({ example: 'the memorandum was published by both ministries' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}
