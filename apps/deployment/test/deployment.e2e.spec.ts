import { describePlatformBoot } from '@trainyard/testing';
import { deploymentService } from '../src/deployment.service';

describePlatformBoot(deploymentService);
