import { describePlatformBoot } from '@trainyard/testing';
import { planningService } from '../src/planning.service';

describePlatformBoot(planningService);
