// Run by the invoker after the consumer's build (release-rehearsal/pom.xml). Checks that
// - the consumer's build ran its main class and its tests;
// - it resolved every published module (the BOM, the parent of the modules, the modules), each downloaded from the
//   rehearsal repository, none from the cache of third-party releases;
// - what it resolved is what this build deployed: deployed by this build (maven-metadata.xml lastUpdated after it
//   started), and byte for byte the jars and poms of this build's modules.
import java.security.MessageDigest

def log = new File(basedir, 'build.log').text
assert log.contains('greeter ok: greeted [Alice]') : 'the Greeter main class did not report success (see build.log)'
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/ : 'the consumer ran no test (see build.log)'
assert log.contains('GreeterIT') : 'the consumer ran no broker test (see build.log)'

def modules = [
    'eventbus-parent'  : 'pom.xml',
    'eventbus-bom'     : 'eventbus-bom/pom.xml',
    'eventbus-core'    : 'eventbus-core/pom.xml',
    'eventbus-rabbitmq': 'eventbus-rabbitmq/pom.xml',
    'eventbus-schema'  : 'eventbus-schema/pom.xml',
    'eventbus-testkit' : 'eventbus-testkit/pom.xml',
]
def sha256 = { File file -> MessageDigest.getInstance('SHA-256').digest(file.bytes).encodeHex().toString() }

def resolvedRoot = new File(localRepositoryPath, 'dev/eventbus')
def resolved = resolvedRoot.exists() ? resolvedRoot.list().toList().sort() : []
assert resolved == modules.keySet().sort() : "expected the consumer to resolve ${modules.keySet().sort()}, it resolved ${resolved}"

modules.each { artifact, pom ->
    def dir = new File(resolvedRoot, "${artifact}/${eventbusVersion}")
    def remote = new File(dir, '_remote.repositories')
    assert remote.exists() && remote.text.contains('>rehearsal=') && !remote.text.contains('>cache=') :
        "${artifact} was not downloaded from the rehearsal repository: ${remote.exists() ? remote.text : 'no ' + remote}"

    def metadata = new File(rehearsalRepository, "dev/eventbus/${artifact}/${eventbusVersion}/maven-metadata.xml")
    assert metadata.exists() : "${artifact} was not deployed to ${rehearsalRepository}"
    def lastUpdated = new groovy.xml.XmlSlurper().parse(metadata).versioning.lastUpdated.text()
    assert lastUpdated >= buildStarted : "${artifact} in the rehearsal repository was deployed at ${lastUpdated}, before this build started (${buildStarted}): this build did not deploy it"

    def resolvedPom = dir.listFiles().find { it.name.endsWith('.pom') }
    assert sha256(resolvedPom) == sha256(new File(reactorRoot, pom)) : "${artifact}: the consumer's ${resolvedPom.name} is not ${pom} of this build"
    def built = new File(reactorRoot, "${pom - 'pom.xml'}target/${artifact}-${eventbusVersion}.jar")
    if (built.exists()) {
        def resolvedJar = dir.listFiles().find { it.name.endsWith('.jar') && !it.name.contains('-sources') && !it.name.contains('-javadoc') }
        assert resolvedJar != null : "${artifact}: the consumer resolved no jar"
        assert sha256(resolvedJar) == sha256(built) : "${artifact}: the consumer's ${resolvedJar.name} is not ${built} of this build"
        ['sources', 'javadoc'].each { classifier ->
            def attached = new File(metadata.parentFile.listFiles().find { it.name.endsWith("-${classifier}.jar") }?.path ?: 'none')
            assert attached.exists() : "${artifact}: no -${classifier}.jar deployed to the rehearsal repository"
        }
    }
}
println "release rehearsal: ${modules.keySet()} deployed by this build and resolved from the rehearsal repository through eventbus-bom"
return true
