import { describePlatformBoot } from '@trainyard/testing';
import { complianceService } from '../src/compliance.service';

describePlatformBoot(complianceService);
