# Renders a job template of release/ the way the BOSH director does, with Debian's ruby
# alone (no bosh-template gem): used by tests/bosh_release.rs.
#
#   ruby tests/bosh/render.rb JOB_DIR TEMPLATE OUT PROPERTIES_JSON [SPEC_JSON]
#
# How it matches the director's rendering (cloudfoundry/bosh, src/bosh-template/lib/bosh/
# template/evaluation_context.rb and property_helper.rb at
# 023be2db7a36c5379c5ddb85f05e381ad86c2f9b, read for reference; this is our own code):
# - Properties: only those declared in the job's spec are visible; each takes the value the
#   deployment gives (PROPERTIES_JSON: a nested hash, as under `properties:` in a manifest)
#   or else the spec's `default`; one with neither is absent. The dotted names become a
#   nested hash, as the director builds it.
# - `p(name)`, `p(name, default)`, `p([names...], default)`: the first name set (not nil),
#   else the default when one is given, else an error naming the property.
# - `if_p(names...) { |values...| } .else { }` (and `else_if_p`): runs the block when every
#   name is set.
# - `spec`: an OpenStruct of the instance (name, id, index, az, deployment, address, ip,
#   bootstrap, job.name), from SPEC_JSON (defaults below for a fake instance).
# - ERB with trim mode '-' (`-%>` eats the newline), as the director's renderer.
# Links are not used by this release and not provided.

require 'erb'
require 'json'
require 'ostruct'
require 'yaml'

class UnknownProperty < StandardError; end

# The template's binding: p, if_p and spec, as the director's EvaluationContext offers them.
class Context
  attr_reader :spec, :properties

  def initialize(properties, spec)
    @raw = properties
    @properties = to_struct(properties)
    @spec = to_struct(spec.merge('properties' => properties))
  end

  def p(*args)
    names = Array(args[0])
    names.each do |name|
      value = lookup(name)
      return value unless value.nil?
    end
    return args[1] if args.length == 2

    raise UnknownProperty, "Can't find property '#{names.join("', or '")}'"
  end

  def if_p(*names)
    values = names.map do |name|
      value = lookup(name)
      return Active.new(self) if value.nil?

      value
    end
    yield(*values)
    Inactive.new
  end

  def get_binding
    binding
  end

  # The else branch of an if_p whose properties were not all set.
  class Active
    def initialize(context)
      @context = context
    end

    def else
      yield
    end

    def else_if_p(*names, &block)
      @context.if_p(*names, &block)
    end
  end

  # The else branch of an if_p that ran.
  class Inactive
    def else; end

    def else_if_p(*_names)
      Inactive.new
    end
  end

  private

  def lookup(name)
    name.split('.').reduce(@raw) do |node, key|
      break nil unless node.is_a?(Hash) && node.key?(key)

      node[key]
    end
  end

  def to_struct(value)
    case value
    when Hash then OpenStruct.new(value.transform_values { |v| to_struct(v) })
    when Array then value.map { |v| to_struct(v) }
    else value
    end
  end
end

def dig_path(hash, dotted)
  dotted.split('.').reduce(hash) do |node, key|
    return [false, nil] unless node.is_a?(Hash) && node.key?(key)

    node[key]
  end.then { |v| [true, v] }
end

def set_path(hash, dotted, value)
  *parents, last = dotted.split('.')
  parents.reduce(hash) { |node, key| node[key] ||= {} }[last] = value
end

job_dir, template, out, given_json, spec_json = ARGV
abort 'usage: render.rb JOB_DIR TEMPLATE OUT PROPERTIES_JSON [SPEC_JSON]' unless given_json

job_spec = YAML.safe_load(File.read(File.join(job_dir, 'spec')))
given = JSON.parse(given_json)
properties = {}
(job_spec['properties'] || {}).each do |name, decl|
  found, value = dig_path(given, name)
  if found
    set_path(properties, name, value)
  elsif decl.is_a?(Hash) && decl.key?('default')
    set_path(properties, name, decl['default'])
  end
end

instance = {
  'name' => 'diego_cell', 'id' => '3f2a9c1e-0000-4000-8000-000000000001', 'index' => 0,
  'az' => 'z1', 'deployment' => 'cf', 'address' => '10.0.16.21', 'ip' => '10.0.16.21',
  'bootstrap' => true, 'job' => { 'name' => 'vcap-diag' }
}.merge(spec_json ? JSON.parse(spec_json) : {})

unless (job_spec['templates'] || {}).key?(template)
  abort "render.rb: #{template} is not a template of #{job_dir}/spec"
end
source = File.read(File.join(job_dir, 'templates', template))
context = Context.new(properties, instance)
begin
  rendered = ERB.new(source, trim_mode: '-').result(context.get_binding)
rescue StandardError => e
  abort "render.rb: #{template}: #{e.class}: #{e.message}"
end
File.write(out, rendered)
File.chmod(0o755, out)
