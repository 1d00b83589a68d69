import { Omittable } from '../common/validation.pipe.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';

export class TokenRequestDto {
  @ApiProperty({
    enum: ['client_credentials'],
    enumName: 'ClientCredentialsGrant',
    example: 'client_credentials',
  })
  @IsIn(['client_credentials'])
  grant_type!: 'client_credentials';

  @ApiPropertyOptional({
    description: 'Omit when sent with HTTP Basic client authentication',
    example: 'org-6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10-app-chat',
  })
  @Omittable()
  @IsString()
  @MaxLength(200)
  client_id?: string;

  @ApiPropertyOptional({
    description: 'Omit when sent with HTTP Basic client authentication',
    example: 'q1Zk3...base64...=',
  })
  @Omittable()
  @IsString()
  @MaxLength(512)
  client_secret?: string;
}

export class TokenResponseDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' }) access_token!: string;
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' }) refresh_token!: string;
  @ApiProperty({ enum: ['Bearer'], enumName: 'TokenType', example: 'Bearer' }) token_type!: 'Bearer';
  @ApiProperty({ example: 3600 }) expires_in!: number;
  @ApiProperty({ example: 604800 }) refresh_expires_in!: number;
  @ApiProperty({ example: 'org:6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10 app:chat' }) scope!: string;
}

export class RefreshRequestDto {
  @ApiProperty({ enum: ['refresh_token'], enumName: 'RefreshTokenGrant', example: 'refresh_token' })
  @IsIn(['refresh_token'])
  grant_type!: 'refresh_token';

  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' })
  @IsString()
  @MaxLength(4096)
  refresh_token!: string;
}

export class RefreshResponseDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' }) access_token!: string;
  @ApiProperty({ enum: ['Bearer'], enumName: 'TokenType', example: 'Bearer' }) token_type!: 'Bearer';
  @ApiProperty({ example: 3600 }) expires_in!: number;
}

export class RevokeRequestDto {
  @ApiProperty({
    description: 'An access or refresh token of the calling client',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...',
  })
  @IsString()
  @MaxLength(4096)
  token!: string;

  @ApiPropertyOptional({
    enum: ['access_token', 'refresh_token'],
    enumName: 'TokenTypeHint',
    example: 'refresh_token',
  })
  @Omittable()
  @IsIn(['access_token', 'refresh_token'])
  token_type_hint?: 'access_token' | 'refresh_token';
}
