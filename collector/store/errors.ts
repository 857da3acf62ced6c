/** The store cannot be used at all (bad folder, unreachable database): the CLI exits with this message. */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}
