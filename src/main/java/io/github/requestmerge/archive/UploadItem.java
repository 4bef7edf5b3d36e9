package io.github.requestmerge.archive;

/**
 * A piece of an object for the uploader: a part of a multipart upload, or the last bytes of an object
 * (then the whole object in one PutObject when no part went before, else its last part and the
 * completion).
 *
 * @param part the part number, from 1; for the last piece, the number it takes if the object is multipart
 * @param last whether the object ends with these bytes
 */
record UploadItem(ObjectUpload object, int part, byte[] bytes, boolean last) {
}
