"""Where uploaded files live, behind one small interface: put, get, delete, exists by key.

The local filesystem by default (UPLOAD_ROOT, else an `uploads` folder in the instance folder:
never under static, so every file goes through an authorised route); an S3-compatible object
store when STORAGE_S3_BUCKET is set, so that several app servers share the same files.
"""

import os
import re
import tempfile
from typing import Protocol

from flask import Flask, current_app

# Keys are made by the app (attachments/<hex>/file.jpg); anything else is refused outright.
_KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]*(?:/[a-z0-9][a-z0-9_\-.]*)*$")


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class MissingFile(LookupError):
    """No file is stored under that key."""


def check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files under one folder; a file appears whole or not at all (written aside, then renamed)."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def _path(self, key: str) -> str:
        return os.path.join(self.root, *check_key(key).split("/"))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def get(self, key: str) -> bytes:
        try:
            with open(self._path(key), "rb") as stored:
                return stored.read()
        except FileNotFoundError:
            raise MissingFile(key) from None

    def delete(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass

    def exists(self, key: str) -> bool:
        return os.path.isfile(self._path(key))


class S3Storage:
    """Objects in one bucket of an S3-compatible store (AWS, MinIO, Ceph...)."""

    def __init__(self, bucket: str, client):
        self.bucket = bucket
        self.client = client

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=data,
                               ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise MissingFile(key) from None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def build(config, instance_path: str) -> Storage:
    """The store the configuration names."""
    bucket = config.get("STORAGE_S3_BUCKET")
    if bucket:
        import boto3  # only when configured: a local install does not need it imported

        client = boto3.client(
            "s3", endpoint_url=config.get("STORAGE_S3_ENDPOINT") or None,
            region_name=config.get("STORAGE_S3_REGION") or None,
            aws_access_key_id=config.get("STORAGE_S3_ACCESS_KEY") or None,
            aws_secret_access_key=config.get("STORAGE_S3_SECRET_KEY") or None,
        )
        return S3Storage(bucket, client)
    return LocalStorage(config.get("UPLOAD_ROOT") or os.path.join(instance_path, "uploads"))


def get_storage(app: Flask | None = None) -> Storage:
    """The app's store, built once per app."""
    app = app or current_app._get_current_object()
    store = app.extensions.get("attachment_storage")
    if store is None:
        store = app.extensions["attachment_storage"] = build(app.config, app.instance_path)
    return store
