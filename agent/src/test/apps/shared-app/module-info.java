/** An application module that shares fields with dsm: the API is needed at compile time only. */
module demo.shared
{
    requires static io.dsm;
}
