/**
 * Entry point of `cdktf synth | diff | deploy` (see cdktf.json): builds the
 * stack from the validated model and synthesizes it into cdktf.out/.
 * The committed Terraform comes from `render()` instead, through projen.
 */
import { resolve } from 'node:path';
import { App } from 'cdktf';
import { loadModelFile } from '@lolice/node-model';
import { configFromCluster } from './config';
import { WorkerNodeImagesStack } from './stack';

const app = new App();
new WorkerNodeImagesStack(app, configFromCluster(loadModelFile(resolve(__dirname, '../../..'))));
app.synth();
