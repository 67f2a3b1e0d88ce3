import { describePlatformBoot } from '@trainyard/testing';
import { schedulingService } from '../src/scheduling.service';

describePlatformBoot(schedulingService);
