import { describePlatformBoot } from '@trainyard/testing';
import { metricsService } from '../src/metrics.service';

describePlatformBoot(metricsService);
