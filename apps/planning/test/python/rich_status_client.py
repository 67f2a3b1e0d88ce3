"""An independent gRPC client (C-core grpcio, Google's protobuf runtime) that calls one unary
method and prints the google.rpc.Status the server sent in grpc-status-details-bin, decoded.

Usage: rich_status_client.py ADDRESS TOKEN DESCRIPTOR_SET FULL_METHOD REQUEST_JSON
  FULL_METHOD like trainyard.planning.v1.PlanningService/RegisterWorkload
Prints one JSON object: {"decoder", "code", "message", "details": [{"@type", ...fields}]}.
Messages come from the descriptor set that `buf build` writes, so nothing is generated here.
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

STATUS_DETAILS_KEY = "grpc-status-details-bin"


def message_class(descriptor):
    get = getattr(message_factory, "GetMessageClass", None)
    if get is not None:
        return get(descriptor)
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


def load_descriptor_set(path):
    """Adds the set's files to the default pool (the well-known types are in it already)."""
    pool = descriptor_pool.Default()
    with open(path, "rb") as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read()).file
    for file in files:
        try:
            pool.FindFileByName(file.name)
        except KeyError:
            pool.Add(file)
    return pool


def status_from_call(call, pool):
    """grpc_status.rpc_status.from_call where python3-grpcio ships without grpc_status (Debian):
    the same steps, and the same refusal when the status disagrees with the call's."""
    try:
        from grpc_status import rpc_status  # the published decoder, when installed

        return "grpc_status.rpc_status.from_call", rpc_status.from_call(call)
    except ImportError:
        pass
    Status = message_class(pool.FindMessageTypeByName("google.rpc.Status"))
    for key, value in call.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY:
            status = Status.FromString(value)
            if call.code().value[0] != status.code:
                raise ValueError("Code in Status proto (%d) doesn't match status code (%s)" % (status.code, call.code()))
            if call.details() != status.message:
                raise ValueError("Message in Status proto (%r) doesn't match status details (%r)" % (status.message, call.details()))
            return "from_call (same steps as grpc_status)", status
    return "from_call (same steps as grpc_status)", None


def main(address, token, descriptor_set, full_method, request_json):
    pool = load_descriptor_set(descriptor_set)
    service_name, method_name = full_method.split("/")
    method = pool.FindServiceByName(service_name).FindMethodByName(method_name)
    Request = message_class(method.input_type)
    Response = message_class(method.output_type)
    request = json_format.ParseDict(json.loads(request_json), Request())
    # A direct connection: C-core would otherwise route through an http_proxy from the environment.
    with grpc.insecure_channel(address, options=[("grpc.enable_http_proxy", 0)]) as channel:
        stub = channel.unary_unary(
            "/" + full_method,
            request_serializer=Request.SerializeToString,
            response_deserializer=Response.FromString,
        )
        try:
            stub(request, metadata=[("authorization", "Bearer " + token)], timeout=30)
        except grpc.RpcError as call:
            decoder, status = status_from_call(call, pool)
            details = []
            for any_detail in status.details if status is not None else ():
                detail = message_class(pool.FindMessageTypeByName(any_detail.TypeName()))()
                any_detail.Unpack(detail)
                details.append({"@type": any_detail.TypeName(), **json_format.MessageToDict(detail, preserving_proto_field_name=True)})
            print(json.dumps({
                "decoder": decoder,
                "code": call.code().name,
                "message": call.details(),
                "status_code": status.code if status is not None else None,
                "details": details,
            }, ensure_ascii=False))
            return 0
    print(json.dumps({"code": "OK"}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
