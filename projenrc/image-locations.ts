import { JsonFile, type Project } from 'projen';
import { IMAGE_LOCATIONS_FILE, type Cluster } from '@lolice/node-model';
import { renderImageLocations } from '@lolice/workflow-gen';

/** `generated/image-locations.json`: where the image workflow publishes, for the flashing helper (rendered by workflow-gen). */
export class ImageLocationsFile extends JsonFile {
  constructor(project: Project, cluster: Cluster) {
    super(project, IMAGE_LOCATIONS_FILE, { obj: renderImageLocations(cluster), marker: true, newline: true });
  }
}
