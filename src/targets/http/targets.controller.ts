import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CurrentCaller, RequirePermission, type Caller } from '../../auth';
import { detailsJson, listDetailsJson, type DetailsJson, type ListDetailsJson } from '../../common/http/json-output';
import { parseInt64 } from '../../common/json/int64';
import { pageOf } from '../../common/read-model/list';
import { CreateTargetCommand, DeleteTargetCommand, UpdateTargetCommand } from '../commands/target.commands';
import { GetTargetQuery, ListTargetsQuery } from '../queries/target.queries';
import { CreateTargetDto, ListTargetsDto, UpdateTargetDto } from './target.dto';
import { sortFieldFromDto, targetFiltersFromDto, targetJson, targetSpecFromDto, type TargetJson } from './target-json';

@Controller('v3alpha/targets')
export class TargetsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @RequirePermission('execution.target.write')
  async createTarget(@Body() body: CreateTargetDto, @CurrentCaller() caller: Caller): Promise<{ id: string; details: DetailsJson }> {
    const created = await this.commands.execute(new CreateTargetCommand(caller.instanceId, targetSpecFromDto(body), caller.subject));
    return { id: created.id, details: detailsJson(created.details) };
  }

  @Post('search')
  @HttpCode(200)
  @RequirePermission('execution.target.read')
  async listTargets(
    @Body() body: ListTargetsDto,
    @CurrentCaller() caller: Caller,
  ): Promise<{ details: ListDetailsJson; sortingColumn: string; result: TargetJson[] }> {
    const { sortBy, sortingColumn } = sortFieldFromDto(body);
    const page = pageOf(parseInt64(body.query?.offset ?? 0), body.query?.limit, body.query?.asc);
    const list = await this.queries.execute(new ListTargetsQuery(caller.instanceId, targetFiltersFromDto(body), sortBy, page));
    return { details: listDetailsJson(list.details), sortingColumn, result: list.result.map(targetJson) };
  }

  @Put(':targetId')
  @RequirePermission('execution.target.write')
  async updateTarget(@Param('targetId') targetId: string, @Body() body: UpdateTargetDto, @CurrentCaller() caller: Caller): Promise<{ details: DetailsJson }> {
    const details = await this.commands.execute(new UpdateTargetCommand(caller.instanceId, targetId, targetSpecFromDto(body), caller.subject));
    return { details: detailsJson(details) };
  }

  @Delete(':targetId')
  @RequirePermission('execution.target.delete')
  async deleteTarget(@Param('targetId') targetId: string, @CurrentCaller() caller: Caller): Promise<{ details: DetailsJson }> {
    const details = await this.commands.execute(new DeleteTargetCommand(caller.instanceId, targetId, caller.subject));
    return { details: detailsJson(details) };
  }

  @Get(':targetId')
  @RequirePermission('execution.target.read')
  async getTarget(@Param('targetId') targetId: string, @CurrentCaller() caller: Caller): Promise<{ target: TargetJson }> {
    return { target: targetJson(await this.queries.execute(new GetTargetQuery(caller.instanceId, targetId))) };
  }
}
